import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProjectGraph } from '@nx/devkit';
import { checkIsolation } from './check-isolation';
import { ContentsProject, imageContents, readsInto } from './image-contents';
import { isolationRuleSchema } from './rules';

let ws: string;
const write = (file: string, content = '') => {
  mkdirSync(dirname(join(ws, file)), { recursive: true });
  writeFileSync(join(ws, file), content);
};
const build = (dockerfile: string, name: string, target?: string) => ({
  dockerfile,
  context: '.',
  buildArgs: {},
  ...(target ? { target } : {}),
  image: `ghcr.io/hamigames/lucid/${name}`,
});

/** Lucid's shape: TRON services as variants in one folder that also has a plain Dockerfile; a blockchain folder. */
function lucidShape(): { projects: Record<string, ContentsProject>; tags: Record<string, string[]> } {
  write('payment_systems/tron/Dockerfile', 'FROM python:3\nCOPY payment_systems/tron/ /app/\nCOPY libs/ /libs/\n');
  write('payment_systems/tron/Dockerfile.tron-client', 'FROM python:3\nCOPY payment_systems/tron/client.py /app/\n');
  write('payment_systems/tron/client.py');
  write('payment_systems/Dockerfile.gateway', 'FROM python:3\nCOPY payment_systems/gateway.py /app/\n');
  write('payment_systems/gateway.py');
  write('libs/shared/x.py');
  write('blockchain/Dockerfile.engine', 'FROM python:3\nCOPY blockchain/engine.py /app/\n');
  write('blockchain/engine.py');
  const projects: Record<string, ContentsProject> = {
    tron: { root: 'payment_systems/tron', build: build('payment_systems/tron/Dockerfile', 'tron') },
    'tron-client': {
      root: 'payment_systems/tron/Dockerfile.tron-client',
      build: build('payment_systems/tron/Dockerfile.tron-client', 'tron-client'),
    },
    gateway: {
      root: 'payment_systems/Dockerfile.gateway',
      build: build('payment_systems/Dockerfile.gateway', 'gateway'),
    },
    shared: { root: 'libs/shared' },
    engine: { root: 'blockchain/Dockerfile.engine', build: build('blockchain/Dockerfile.engine', 'engine') },
  };
  const tags = {
    tron: [],
    'tron-client': ['scope:tron', 'type:service', 'phase:4'],
    gateway: ['scope:payment', 'type:service'],
    shared: ['scope:shared'],
    engine: ['scope:blockchain', 'type:service', 'phase:2'],
  };
  return { projects, tags };
}

function graphOf(projects: Record<string, ContentsProject>, tags: Record<string, string[]>): ProjectGraph {
  const nodes = Object.fromEntries(
    Object.entries(projects).map(([name, p]) => [
      name,
      { name, type: 'app', data: { root: p.root, tags: tags[name] } },
    ]),
  );
  return {
    nodes,
    dependencies: Object.fromEntries(Object.keys(projects).map((n) => [n, []])),
  } as unknown as ProjectGraph;
}

const rules = [
  {
    name: 'only-tron-and-payment-reach-tron',
    sourceTag: 'type:service',
    except: ['scope:tron', 'scope:payment'],
    notDependOnTransitively: ['scope:tron'],
  },
  { name: 'blockchain-never-reaches-tron', sourceTag: 'scope:blockchain', notDependOnTransitively: ['scope:tron'] },
].map((r) => isolationRuleSchema.parse(r));

function check(projects: Record<string, ContentsProject>, tags: Record<string, string[]>, pathTags = {}) {
  const errors: string[] = [];
  const contents = imageContents(ws, projects, pathTags);
  const ok = checkIsolation(
    graphOf(projects, tags),
    rules,
    { log: () => undefined, warn: () => undefined, logError: (l) => errors.push(l) },
    { contents, pathTags },
  );
  return { ok, errors, contents };
}

beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'lucid-contents-'))));
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('isolation judges an image by the files it reads and the images it FROMs', () => {
  it('the services as they are pass; reading a folder does not chain through that folder’s own Dockerfile', () => {
    const { projects, tags } = lucidShape();
    const { ok, contents } = check(projects, tags);
    expect(ok).toBe(true);
    // tron's image reads libs/: a leaf, and tron's folder holds the tron-client variant's Dockerfile.
    expect(contents.get('tron')!.map((e) => [e.target, e.transitive])).toEqual([
      ['tron-client', false],
      ['shared', false],
    ]);
  });

  it('a scope:blockchain Dockerfile that COPYs payment_systems/ is caught at its file:line (a variant project owns its Dockerfile)', () => {
    const { projects, tags } = lucidShape();
    write('blockchain/Dockerfile.planted', 'FROM python:3\nRUN true\nCOPY payment_systems/ ./payment_systems/\n');
    projects.planted = {
      root: 'blockchain/Dockerfile.planted',
      build: build('blockchain/Dockerfile.planted', 'planted'),
    };
    tags.planted = ['scope:blockchain', 'type:service'];
    const { ok, errors } = check(projects, tags);
    expect(ok).toBe(false);
    expect(errors).toContain(
      '  - rule "blockchain-never-reaches-tron": planted → tron-client (tron-client is tagged scope:tron; blockchain/Dockerfile.planted:3: COPY payment_systems)',
    );
  });

  it('a tagged path covers files no tagged project owns; a FROM carries what the image holds', () => {
    const { projects, tags } = lucidShape();
    write('blockchain/Dockerfile.reader', 'FROM python:3\nCOPY payment_systems/tron/client.py /x\n');
    projects.reader = { root: 'blockchain/Dockerfile.reader', build: build('blockchain/Dockerfile.reader', 'reader') };
    tags.reader = ['type:tool'];
    write('blockchain/Dockerfile.on-top', 'FROM ghcr.io/hamigames/lucid/reader:latest AS base\nFROM base\n');
    projects['on-top'] = {
      root: 'blockchain/Dockerfile.on-top',
      build: build('blockchain/Dockerfile.on-top', 'on-top'),
    };
    tags['on-top'] = ['scope:blockchain'];
    // Without the path tag, client.py belongs to the untagged folder project tron: nothing is reached.
    expect(check(projects, tags).ok).toBe(true);
    const { ok, errors } = check(projects, tags, { 'payment_systems/tron/': ['scope:tron'] });
    expect(ok).toBe(false);
    expect(errors).toEqual([
      expect.stringContaining('1 violation(s)'),
      '  - rule "blockchain-never-reaches-tron": on-top → reader → payment_systems/tron/ (payment_systems/tron/ is tagged scope:tron; blockchain/Dockerfile.on-top:1: FROM ghcr.io/hamigames/lucid/reader:latest, then blockchain/Dockerfile.reader:2: COPY payment_systems/tron/client.py)',
    ]);
  });

  it('readsInto: the folder, a file or folder in it, a folder above it, a glob reaching it', () => {
    expect(readsInto('payment_systems', 'payment_systems/tron')).toBe(true);
    expect(readsInto('payment_systems/tron/a.py', 'payment_systems/tron')).toBe(true);
    expect(readsInto('payment_systems/*/a.py', 'payment_systems/tron')).toBe(true);
    expect(readsInto('.', 'payment_systems/tron')).toBe(true);
    expect(readsInto('payment_systems/tronic', 'payment_systems/tron')).toBe(false);
    expect(readsInto('blockchain/*', 'payment_systems/tron')).toBe(false);
  });
});

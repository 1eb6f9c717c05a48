/**
 * Every key of the plugin options schema (enumerated from the schema, so a new option is covered the day it is
 * added) either reaches the options of every inferred target whose executor schema reads it (parsed by that
 * schema to the value nx.json gave), or, when no executor reads it, changes what createNodes infers. An option
 * that reaches nothing fails here: that is how `phaseTagPrefix` was lost between nx.json and the build and push.
 */
import type { CreateNodesContext, TargetConfiguration } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { normalizePluginOptions, pluginOptionsSchema } from '../config/options';
import { createNodes } from './create-nodes';

/** One value per plugin option that differs from its default and matters in FILES below. */
const CHANGED: Record<string, unknown> = {
  registry: 'registry.example:5000',
  registries: ['a.example', 'b.example:5000'],
  repository: 'acme/app',
  platforms: ['linux/s390x'],
  engine: 'podman',
  gate: { cvssThreshold: 9.5, severity: 'HIGH' },
  buildCache: { type: 'registry', mode: 'min' },
  attestations: { provenance: false },
  registryMirrors: { 'gcr.io': 'mirror.example/gcr.io' },
  insecureRegistries: ['registry.example:5000'],
  phaseTagPrefix: 'stage:',
  tags: [{ type: 'sha', format: 'short' }],
  tagFlavor: { latest: 'false' },
  latestOnBranch: 'trunk',
  outputRoot: 'out/images',
  skipDockerfiles: ['apps/web/**'],
  waitForCopiedProjects: false,
  buildContext: 'apps',
  compose: false,
  projects: { 'apps/api/Dockerfile': { name: 'renamed' } },
  targetNames: { build: 'image' },
  requireAttestations: {
    predicateTypes: ['https://cyclonedx.org/bom'],
    certificateIssuer: 'https://token.actions.githubusercontent.com',
    certificateIdentity: 'https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main',
    trustedRoot: '.sigstore/trusted_root.json',
  },
  retention: { keepShaTags: 3, keepDays: 7, branchTags: ['main', 'release-*'] },
};

const FILES: Record<string, string> = {
  'apps/api/Dockerfile': 'FROM scratch\nCOPY apps/api/src /app\n',
  'apps/api/src/main.py': '',
  'apps/web/Dockerfile': 'FROM scratch\nCOPY . /app\n',
  'apps/web/compose.yaml': 'services:\n  web:\n    build:\n      context: .\n',
};

/** Each executor's options schema (options.ts beside its schema.json), for every executor executors.json declares. */
const PACKAGE_ROOT = join(__dirname, '../..');
const EXECUTOR_SCHEMAS: Record<string, z.ZodObject> = Object.fromEntries(
  Object.entries(
    JSON.parse(readFileSync(join(PACKAGE_ROOT, 'executors.json'), 'utf8')).executors as Record<
      string,
      { schema: string }
    >,
  ).map(([name, entry]) => [
    `@lucid/nx-lucid:${name}`,
    (
      require(join(PACKAGE_ROOT, entry.schema.replace(/^\.\/dist\//, '').replace(/schema\.json$/, 'options'))) as {
        schema: z.ZodObject;
      }
    ).schema,
  ]),
);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lucid-option-reach-'));
  for (const [file, content] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function infer(options: Record<string, unknown>) {
  const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
  return createNodes[1](Object.keys(FILES), options, context);
}

/** The inferred targets of apps/api's project. */
async function apiTargets(options: Record<string, unknown>): Promise<Record<string, TargetConfiguration>> {
  const results = await infer(options);
  const api = results.flatMap(([, r]) => Object.values(r.projects ?? {})).find((p) => p.root === 'apps/api');
  return api!.targets!;
}

const KEYS = Object.keys(pluginOptionsSchema.shape);

describe('every plugin option reaches the targets that read it, or changes the inferred graph', () => {
  it('every option has a changed value here (a new option must be added to CHANGED)', () => {
    expect(KEYS.filter((k) => !(k in CHANGED))).toEqual([]);
    const defaults = normalizePluginOptions({}) as Record<string, unknown>;
    for (const key of KEYS) {
      expect({ key, value: normalizePluginOptions({ [key]: CHANGED[key] })[key as never] }).not.toEqual({
        key,
        value: defaults[key],
      });
    }
  });

  it.each(KEYS)('%s', async (key) => {
    const given = normalizePluginOptions({ [key]: CHANGED[key] }) as Record<string, unknown>;
    const targets = await apiTargets({ [key]: CHANGED[key] });
    const readers = Object.entries(targets).filter(([, t]) => key in EXECUTOR_SCHEMAS[t.executor!].shape);
    if (!readers.length) {
      // No executor reads it: it must change what createNodes infers.
      expect(JSON.stringify(await infer({ [key]: CHANGED[key] }))).not.toEqual(JSON.stringify(await infer({})));
      return;
    }
    for (const [name, target] of readers) {
      const parsed = EXECUTOR_SCHEMAS[target.executor!].parse(target.options) as Record<string, unknown>;
      expect({ target: name, [key]: parsed[key] }).toEqual({ target: name, [key]: given[key] });
    }
  });
});

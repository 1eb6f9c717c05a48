/**
 * The map of docs/ARCHITECTURE.md, held to the code: at most 16 top-level folders, each named in the document; no
 * import cycle between files (type-only imports included) or between top-level folders; every module can be
 * required first.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findCycles } from './graph/dependency-cycles';

const PACKAGE = join(__dirname, '..');
const WORKSPACE = join(PACKAGE, '../..');
const SRC = join(PACKAGE, 'src');
const SRC_REL = relative(WORKSPACE, SRC).split('\\').join('/');

interface Cruise {
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
  summary: { violations: { from: string; to: string; rule: { name: string }; cycle?: { name: string }[] }[] };
}

function cruise(): Cruise {
  const bin = join(WORKSPACE, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const out = execFileSync(
    process.execPath,
    [bin, SRC_REL, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: WORKSPACE, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
  );
  return JSON.parse(out) as Cruise;
}

/** The top-level folder of src/ a module lives in ('' for a file at src/ itself). */
export function topFolder(source: string, srcRel = SRC_REL): string {
  const rest = source.slice(srcRel.length + 1).split('/');
  return rest.length > 1 ? rest[0] : '';
}

/** One concrete cycle per strongly connected component of folder edges (the graph hooks' own cycle finder). */
export function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const list = [...edges].flatMap(([source, targets]) =>
    [...targets].map((target) => ({ source, target, dockerfile: '', line: 0, via: '' })),
  );
  return findCycles(list);
}

function folderEdges(result: Cruise): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const m of result.modules) {
    if (!m.source.startsWith(`${SRC_REL}/`)) continue;
    for (const d of m.dependencies) {
      if (!d.resolved.startsWith(`${SRC_REL}/`)) continue;
      const [from, to] = [topFolder(m.source), topFolder(d.resolved)];
      if (from && to && from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  return edges;
}

describe('the map (docs/ARCHITECTURE.md)', () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const doc = readFileSync(join(WORKSPACE, 'docs/ARCHITECTURE.md'), 'utf8');

  it('has at most 16 top-level folders in src/, each with its line in the document', () => {
    expect(folders.length).toBeLessThanOrEqual(16);
    expect(folders.filter((f) => !new RegExp(`^\\| \`${f}/\``, 'm').test(doc))).toEqual([]);
  });

  it('names no folder that src/ does not have', () => {
    const named = [...doc.matchAll(/^\| `([a-z-]+)\/`/gm)].map((m) => m[1]);
    expect(named.filter((f) => !folders.includes(f))).toEqual([]);
  });
});

describe('import cycles (dependency-cruiser, type-only imports included)', () => {
  let result: Cruise;
  beforeAll(() => (result = cruise()));

  it('sees the whole plugin', () => {
    expect(result.modules.filter((m) => m.source.startsWith(`${SRC_REL}/`)).length).toBeGreaterThan(100);
  });

  it('has none between files', () => {
    const cycles = result.summary.violations
      .filter((v) => v.rule.name === 'no-circular')
      .map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('has none between the top-level folders of src/', () => {
    expect(cyclesOf(folderEdges(result))).toEqual([]);
  });
});

describe('cyclesOf', () => {
  it('finds a cycle through several folders and ignores a chain', () => {
    const g = (pairs: [string, string][]) => {
      const m = new Map<string, Set<string>>();
      for (const [a, b] of pairs) m.set(a, (m.get(a) ?? new Set()).add(b));
      return m;
    };
    expect(
      cyclesOf(
        g([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'd'],
        ]),
      ),
    ).toEqual([]);
    expect(
      cyclesOf(
        g([
          ['oci', 'registry'],
          ['registry', 'boundary'],
          ['boundary', 'oci'],
          ['x', 'oci'],
        ]),
      ),
    ).toEqual([['boundary', 'oci', 'registry', 'boundary']]);
  });
});

/** node:fs calls that change the file system; only boundary/files.ts imports them. */
const WRITES =
  /\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|renameSync|rename|copyFileSync|copyFile|cpSync|linkSync|symlinkSync|mkdirSync|mkdir|mkdtempSync|rmSync|rm|rmdirSync|unlinkSync|unlink|chmodSync|truncateSync|utimesSync|writeSync|ftruncateSync)\b/;

export function fsWritesImported(source: string): string[] {
  const out: string[] = [];
  const imports = /import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?fs(?:\/promises)?['"]/g;
  for (const m of source.matchAll(imports)) {
    for (const name of m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0])) if (WRITES.test(name)) out.push(name);
  }
  return out;
}

describe('side effects through the boundary', () => {
  it('writes files only through boundary/files.ts', () => {
    const writers = listModules(SRC)
      .map((file) => [relative(SRC, file), fsWritesImported(readFileSync(file, 'utf8'))] as const)
      .filter(([rel, names]) => names.length > 0 && rel !== join('boundary', 'files.ts'))
      .map(([rel, names]) => `${rel}: ${names.join(', ')}`);
    expect(writers).toEqual([]);
  });

  it('sees a write import in any form', () => {
    expect(fsWritesImported("import { existsSync, writeFileSync as w } from 'node:fs';")).toEqual(['writeFileSync']);
    expect(fsWritesImported("import { rm } from 'fs/promises';\nimport { readFileSync } from 'fs';")).toEqual(['rm']);
  });
});

describe('every module can be required first', () => {
  it('loads each of src/ on its own, in a fresh module registry of the plugin', () => {
    const modules = listModules(SRC).map((f) => relative(SRC, f));
    // One child (swc-transpiled, as bin/ scripts run): the plugin's own modules are dropped from require's cache
    // before each, so each is the first of its closure to evaluate, as when Nx loads an executor alone.
    const script = `
      const { join } = require('node:path');
      const src = ${JSON.stringify(SRC)};
      const failures = [];
      for (const rel of ${JSON.stringify(modules)}) {
        for (const key of Object.keys(require.cache)) if (key.startsWith(src)) delete require.cache[key];
        try { require(join(src, rel)); } catch (e) { failures.push(rel + ': ' + String(e && e.message).split('\\n')[0]); }
      }
      process.stdout.write(JSON.stringify(failures));
    `;
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: WORKSPACE,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(modules.length).toBeGreaterThan(100);
    expect(JSON.parse(out.slice(out.lastIndexOf('[')))).toEqual([]);
  });
});

function listModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return ['__fixtures__', 'testing', 'files'].includes(e.name) ? [] : listModules(full);
    return /\.ts$/.test(e.name) && !/\.(spec|d)\.ts$/.test(e.name) && !/test-support/.test(e.name) ? [full] : [];
  });
}

import { logger } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { graphPass, GraphPass, pluginFilesIn } from '../../e2e/support/graph-pass';
import * as graphCache from './graph-cache';

/**
 * The on-disk cache of createNodes results: a warm pass returns exactly what a cold one does, and a change to any
 * input (Dockerfile, ignore file, a COPY source appearing or changing kind, compose build block, project.json,
 * plugin options, plugin code) re-analyses exactly the projects that read it. Which projects came from the cache
 * is seen by marking every stored node before the change: a node that still has the mark was not re-analysed.
 */
const MARK = 'servedFromCache';
const OPTIONS = { registry: 'ghcr.io', repository: 'hamigames/lucid' };

let dataDir: string;
const savedDataDir = process.env.NX_WORKSPACE_DATA_DIRECTORY;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lucid-graph-cache-data-'));
  process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDir;
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
  if (savedDataDir === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  else process.env.NX_WORKSPACE_DATA_DIRECTORY = savedDataDir;
  jest.restoreAllMocks();
});

const cacheFiles = () => readdirSync(dataDir).filter((f) => /^nx-lucid-.*\.hash$/.test(f));

/** Marks every stored node (entry observations untouched, so every entry still counts as valid). */
function markStoredNodes(): void {
  expect(cacheFiles().length).toBeGreaterThan(0);
  for (const file of cacheFiles()) {
    const cache = JSON.parse(readFileSync(join(dataDir, file), 'utf8'));
    // Node entries only (the compose build blocks' cache has none).
    for (const entry of Object.values(cache.entries) as Array<{ value: { node?: { metadata: object } } }>)
      if (entry.value.node) entry.value.node.metadata = { ...entry.value.node.metadata, [MARK]: true };
    writeFileSync(join(dataDir, file), JSON.stringify(cache));
  }
}

const marked = (pass: GraphPass) =>
  Object.keys(pass.nodes)
    .filter((root) => (pass.nodes[root].metadata as Record<string, unknown> | undefined)?.[MARK])
    .sort();

describe("this workspace's services", () => {
  const repo = resolve(__dirname, '../../../..');
  const files = pluginFilesIn(repo, 'apps');

  it('a warm pass returns what a cold pass returns, from the cache, and leaves the cache file as it was', async () => {
    expect(files.filter((f) => f.endsWith('/Dockerfile')).length).toBeGreaterThanOrEqual(29);
    const cold = await graphPass(repo, files, OPTIONS);
    expect(Object.keys(cold.nodes).length).toBeGreaterThanOrEqual(29);
    expect(cold.deps.length).toBeGreaterThan(0);
    const [file] = cacheFiles();
    const written = statSync(join(dataDir, file)).mtimeMs;
    const warm = await graphPass(repo, files, OPTIONS);
    expect(warm).toEqual(cold);
    expect(statSync(join(dataDir, file)).mtimeMs).toBe(written);
    markStoredNodes();
    expect(marked(await graphPass(repo, files, OPTIONS))).toEqual(Object.keys(cold.nodes).sort());
  });
});

describe('what invalidates an entry', () => {
  let root: string;
  const BASE: Record<string, string> = {
    'libs/common/project.json': '{"name":"common"}',
    'libs/common/src/x.py': '',
    'apps/a/project.json': '{"name":"a"}',
    'apps/a/Dockerfile': 'FROM scratch\nCOPY apps/a/src /svc\nCOPY apps/a/README.md /doc/\n',
    'apps/a/Dockerfile.dockerignore': '**/*.md\n',
    'apps/a/src/main.py': '',
    'apps/b/project.json': '{"name":"b"}',
    'apps/b/Dockerfile': 'FROM scratch\nCOPY shared/data /data\n',
    'apps/c/project.json': '{"name":"c"}',
    'apps/c/Dockerfile': 'FROM scratch\nARG MODE=prod\nCOPY apps/c/${MODE} /svc\n',
    'docker-compose.yml': 'services:\n  c:\n    build:\n      context: .\n      dockerfile: apps/c/Dockerfile\n',
  };
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  const pass = (options: object = OPTIONS) => graphPass(root, pluginFilesIn(root), options);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-graph-cache-'));
    for (const [file, content] of Object.entries(BASE)) write(file, content);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /**
   * A cold pass, marks, the change, then a pass through the cache: the projects not marked any more are the ones
   * re-analysed, and the result is the one a pass with no cache at all gives.
   */
  async function afterChange(change: () => void, options: object = OPTIONS) {
    const before = await pass();
    markStoredNodes();
    change();
    const warm = await pass(options);
    for (const file of cacheFiles()) rmSync(join(dataDir, file));
    const cold = await pass(options);
    const unmarked = Object.keys(warm.nodes).filter((r) => !marked(warm).includes(r));
    for (const r of unmarked) expect(warm.nodes[r]).toEqual(cold.nodes[r]);
    expect(warm.deps).toEqual(cold.deps);
    return { before, warm, cold, reanalysed: unmarked.sort() };
  }

  const buildOf = (p: GraphPass, root: string) => p.nodes[root].targets!['container-build'];

  it("a Dockerfile's content: that project only", async () => {
    const r = await afterChange(() =>
      write('apps/a/Dockerfile', `${BASE['apps/a/Dockerfile']}COPY libs/common/src /lib\n`),
    );
    expect(r.reanalysed).toEqual(['apps/a']);
    expect(buildOf(r.warm, 'apps/a').inputs).toContain('{workspaceRoot}/libs/common/src/**/*');
    expect(r.warm.deps).toContainEqual(expect.objectContaining({ source: 'a', target: 'common' }));
    expect(r.before.deps).not.toContainEqual(expect.objectContaining({ source: 'a', target: 'common' }));
  });

  it('its ignore file: that project only', async () => {
    const r = await afterChange(() => write('apps/a/Dockerfile.dockerignore', '**/*.md\n!apps/a/README.md\n'));
    expect(r.reanalysed).toEqual(['apps/a']);
    expect(buildOf(r.warm, 'apps/a').inputs).not.toEqual(buildOf(r.before, 'apps/a').inputs);
  });

  it('a COPY source appearing as a folder, then disappearing: the project that copies it', async () => {
    const appeared = await afterChange(() => write('shared/data/seed.csv', 'x\n'));
    expect(appeared.reanalysed).toEqual(['apps/b']);
    expect(buildOf(appeared.warm, 'apps/b').inputs).toContain('{workspaceRoot}/shared/data/**/*');
    expect(buildOf(appeared.warm, 'apps/b').inputs).not.toContain('{workspaceRoot}/shared/data');
    const gone = await afterChange(() => rmSync(join(root, 'shared'), { recursive: true }));
    expect(gone.reanalysed).toEqual(['apps/b']);
    expect(buildOf(gone.warm, 'apps/b').inputs).toEqual(buildOf(appeared.before, 'apps/b').inputs);
  });

  it('a COPY source changing from a file to a folder', async () => {
    write('shared/data', 'a file\n');
    const r = await afterChange(() => {
      rmSync(join(root, 'shared/data'));
      write('shared/data/x', '');
    });
    expect(r.reanalysed).toEqual(['apps/b']);
    expect(buildOf(r.before, 'apps/b').inputs).toContain('{workspaceRoot}/shared/data');
    expect(buildOf(r.warm, 'apps/b').inputs).toContain('{workspaceRoot}/shared/data/**/*');
  });

  it("a compose build block's args: the service it builds", async () => {
    const r = await afterChange(() =>
      write('docker-compose.yml', `${BASE['docker-compose.yml']}      args:\n        MODE: dev\n`),
    );
    expect(r.reanalysed).toEqual(['apps/c']);
    expect(buildOf(r.warm, 'apps/c').options.buildArgs).toEqual({ MODE: 'dev' });
    expect(buildOf(r.warm, 'apps/c').inputs).toContain('{workspaceRoot}/apps/c/dev');
  });

  it("a compose file's build blocks come from the cache while its text is the same", async () => {
    await pass();
    // Mark the stored blocks (an arg no file has): seen in the result only if the stored blocks were used.
    for (const file of cacheFiles()) {
      const cache = JSON.parse(readFileSync(join(dataDir, file), 'utf8'));
      for (const entry of Object.values(cache.entries) as Array<{ value: unknown }>)
        if (Array.isArray(entry.value))
          entry.value = [['c', { context: '.', dockerfile: 'apps/c/Dockerfile', args: { FROM_CACHE: '1' } }]];
      writeFileSync(join(dataDir, file), JSON.stringify(cache));
    }
    expect(buildOf(await pass(), 'apps/c').options.buildArgs).toEqual({ FROM_CACHE: '1' });
    write('docker-compose.yml', `${BASE['docker-compose.yml']}\n`);
    expect(buildOf(await pass(), 'apps/c').options.buildArgs).toBeUndefined();
  });

  it('the project.json that names it: that project', async () => {
    const r = await afterChange(() => write('apps/b/project.json', '{"name":"b2"}'));
    expect(r.reanalysed).toEqual(['apps/b']);
    expect(r.warm.nodes['apps/b'].name).toBe('b2');
  });

  it('plugin options: every project', async () => {
    const changed = { ...OPTIONS, outputRoot: 'out/images' };
    const r = await afterChange(() => undefined, changed);
    expect(r.reanalysed).toEqual(['apps/a', 'apps/b', 'apps/c']);
    expect(buildOf(r.warm, 'apps/a').outputs).toContain('{workspaceRoot}/out/images/a/oci');
  });

  it('the plugin code: every project', async () => {
    const r = await afterChange(() => jest.spyOn(graphCache, 'pluginCodeHash').mockReturnValue('another-version'));
    expect(r.reanalysed).toEqual(['apps/a', 'apps/b', 'apps/c']);
  });

  it('the plugin code cannot be hashed: the same graph, nothing kept', async () => {
    const cached = await pass();
    for (const file of cacheFiles()) rmSync(join(dataDir, file));
    jest.spyOn(graphCache, 'pluginCodeHash').mockImplementation(() => {
      throw new Error('cannot resolve import');
    });
    expect(await pass()).toEqual(cached);
    expect(cacheFiles()).toEqual([]);
  });

  it('nothing changed: no project', async () => {
    const r = await afterChange(() => undefined);
    expect(r.reanalysed).toEqual([]);
  });
});

describe('pluginCodeHash', () => {
  let pkg: string;
  beforeEach(() => {
    pkg = mkdtempSync(join(tmpdir(), 'lucid-plugin-hash-'));
    mkdirSync(join(pkg, 'src'));
    writeFileSync(join(pkg, 'package.json'), '{"name":"@lucid/nx-lucid","version":"1.0.0"}');
    writeFileSync(join(pkg, 'src/index.ts'), "export { a } from './a';\n");
    writeFileSync(join(pkg, 'src/a.ts'), "import { parse } from 'yaml';\nexport const a = parse('1');\n");
  });
  afterEach(() => rmSync(pkg, { recursive: true, force: true }));

  it('changes with a source file the entry reaches and with the package version', () => {
    const first = graphCache.pluginCodeHash(join(pkg, 'src'));
    expect(graphCache.pluginCodeHash(join(pkg, 'src'))).toBe(first);
    writeFileSync(join(pkg, 'src/a.ts'), "import { parse } from 'yaml';\nexport const a = parse('2');\n");
    const second = graphCache.pluginCodeHash(join(pkg, 'src'));
    expect(second).not.toBe(first);
    writeFileSync(join(pkg, 'package.json'), '{"name":"@lucid/nx-lucid","version":"1.0.1"}');
    expect(graphCache.pluginCodeHash(join(pkg, 'src'))).not.toBe(second);
  });

  it('names a different cache file for different code or options', () => {
    const at = (options: object, code: string) => graphCache.GraphCache.open(pkg, options, code).path;
    expect(at(OPTIONS, 'x')).toBe(at({ ...OPTIONS }, 'x'));
    expect(at(OPTIONS, 'x')).not.toBe(at(OPTIONS, 'y'));
    expect(at(OPTIONS, 'x')).not.toBe(at({ ...OPTIONS, platforms: ['linux/amd64'] }, 'x'));
  });
});

describe('workspaceDataDirectory', () => {
  it("follows Nx's rules: the setting (relative to the root), else .nx/workspace-data, Lerna without nx.json aside", () => {
    const root = mkdtempSync(join(tmpdir(), 'lucid-data-dir-'));
    try {
      const at = (env: NodeJS.ProcessEnv) => graphCache.workspaceDataDirectory(root, env);
      expect(at({})).toBe(join(root, '.nx/workspace-data'));
      expect(at({ NX_WORKSPACE_DATA_DIRECTORY: 'tmp/data' })).toBe(join(root, 'tmp/data'));
      expect(at({ NX_PROJECT_GRAPH_CACHE_DIRECTORY: '/abs/data' })).toBe('/abs/data');
      writeFileSync(join(root, 'lerna.json'), '{}');
      expect(at({})).toBe(join(root, 'node_modules/.cache/nx-workspace-data'));
      writeFileSync(join(root, 'nx.json'), '{}');
      expect(at({})).toBe(join(root, '.nx/workspace-data'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

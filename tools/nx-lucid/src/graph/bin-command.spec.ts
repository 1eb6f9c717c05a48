import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binCommand, pluginPackageRoot, pluginScripts } from './bin-command';

describe("binCommand (runtime inputs that run the plugin's own scripts)", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-bin-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const manifest = (folder: string) => {
    mkdirSync(join(folder, 'bin'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: '@lucid/nx-lucid' }));
    writeFileSync(join(folder, 'bin', 'base-digest.js'), '');
  };

  it('finds the package folder from source, from dist/ and from an installed copy', () => {
    const pkg = join(__dirname, '..', '..');
    expect(pluginPackageRoot()).toBe(pkg);
    manifest(join(dir, 'node_modules/@lucid/nx-lucid'));
    mkdirSync(join(dir, 'node_modules/@lucid/nx-lucid/dist/src/plugin'), { recursive: true });
    expect(pluginPackageRoot(join(dir, 'node_modules/@lucid/nx-lucid/dist/src/plugin'))).toBe(
      join(dir, 'node_modules/@lucid/nx-lucid'),
    );
    expect(() => pluginPackageRoot(dir)).toThrow(/no package.json named @lucid\/nx-lucid/);
  });

  it('names the script relative to the workspace root: the same string on every machine', () => {
    expect(binCommand('base-digest.js', ['gcr.io/x:1'], '/a/ws', '/a/ws/tools/nx-lucid')).toBe(
      'node tools/nx-lucid/bin/base-digest.js gcr.io/x:1',
    );
    expect(binCommand('trivy-db-key.js', [], '/b/other', '/b/other/node_modules/@lucid/nx-lucid')).toBe(
      'node node_modules/@lucid/nx-lucid/bin/trivy-db-key.js',
    );
    // This workspace, from source or from dist/: the path the repository always used.
    expect(binCommand('base-digest.js', ['r'], join(__dirname, '..', '..', '..', '..'))).toBe(
      'node tools/nx-lucid/bin/base-digest.js r',
    );
  });

  it("reaches a package outside the workspace through the workspace's node_modules link, else absolutely", () => {
    const ws = join(dir, 'ws');
    const store = join(dir, 'store', 'nx-lucid');
    manifest(store);
    mkdirSync(ws);
    expect(binCommand('base-digest.js', [], ws, store)).toBe(`node ${store}/bin/base-digest.js`);
    manifest(join(ws, 'node_modules/@lucid/nx-lucid'));
    expect(binCommand('base-digest.js', [], ws, store)).toBe('node node_modules/@lucid/nx-lucid/bin/base-digest.js');
  });

  it('pluginScripts (once per createNodes round) gives the same command lines as binCommand', () => {
    const ws = join(__dirname, '..', '..', '..', '..');
    const scripts = pluginScripts(ws);
    expect(scripts.baseDigest('gcr.io/distroless/python3-debian12:nonroot')).toBe(
      binCommand('base-digest.js', ['gcr.io/distroless/python3-debian12:nonroot'], ws),
    );
    expect(scripts.trivyDbKey).toBe(binCommand('trivy-db-key.js', [], ws));
    expect(scripts.trivyDbKey).toBe('node tools/nx-lucid/bin/trivy-db-key.js');
  });
});

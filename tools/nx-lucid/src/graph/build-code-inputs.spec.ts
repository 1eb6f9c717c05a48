import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildCodeInputs,
  buildCodeInputsFor,
  importClosure,
  isInstalled,
  packageName,
  runtimeImports,
} from './build-code-inputs';

const PLUGIN_ROOT = join(__dirname, '../..');
const WORKSPACE = join(PLUGIN_ROOT, '../..');

describe('runtimeImports', () => {
  it('keeps value imports, re-exports, side-effect imports and requires; drops type-only ones', () => {
    const source = [
      "import type { ExecutorContext } from '@nx/devkit';",
      "import { logger } from '@nx/devkit';",
      "import {\n  a,\n  b,\n} from './multi';",
      "export { c } from './re-export';",
      "export type { D } from './types-only';",
      "import './side-effect';",
      "const x = require('yaml');",
    ].join('\n');
    expect(runtimeImports(source)).toEqual(['@nx/devkit', './multi', './re-export', './side-effect', 'yaml']);
  });
  it('names packages, not built-ins or relative paths', () => {
    expect(['zod', '@nx/devkit/internal', 'node:fs', 'fs', './x', 'tar-stream/lib'].map(packageName)).toEqual([
      'zod',
      '@nx/devkit',
      undefined,
      undefined,
      undefined,
      'tar-stream',
    ]);
  });
});

describe('importClosure', () => {
  const files: Record<string, string> = {
    '/p/src/entry.ts': "import { a } from './a';\nimport { z } from 'zod';",
    '/p/src/a.ts': "import { b } from './lib';\nimport type { T } from '../scan/only';",
    '/p/src/lib/index.ts': "export const b = require('dockerfile-ast');",
  };
  it('follows relative imports (index files too) and collects packages', () => {
    const fs = jest.requireActual('node:fs') as typeof import('node:fs');
    const spy = jest.spyOn(fs, 'existsSync').mockImplementation((p) => String(p) in files);
    try {
      expect(importClosure('/p/src/entry.ts', (f) => files[f])).toEqual({
        files: ['/p/src/a.ts', '/p/src/entry.ts', '/p/src/lib/index.ts'],
        packages: ['dockerfile-ast', 'zod'],
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe("the real build executor's closure", () => {
  const inputs = buildCodeInputs(WORKSPACE, PLUGIN_ROOT);
  const files = inputs.filter((i): i is string => typeof i === 'string');
  it('holds the code that decides image content', () => {
    for (const f of [
      'image/labels.ts',
      'build/build.ts',
      'build/assemble.ts',
      'build/engines/buildah.ts',
      'oci/layout-writer.ts',
      'nx/executors/build/executor.ts',
    ]) {
      expect(files).toContain(`{workspaceRoot}/tools/nx-lucid/src/${f}`);
    }
  });
  it('leaves out scan-, push- and release-only code and specs', () => {
    expect(
      files.filter((f) =>
        /\/src\/(scan|release|registry|push|verify|nx\/generators|ci)\/|\.spec\.ts$|executors\/(scan|push|release|verify)\//.test(
          f,
        ),
      ),
    ).toEqual([]);
  });
  it('hashes only the packages it imports, not every npm dependency', () => {
    const external = inputs.find((i): i is { externalDependencies: string[] } => typeof i !== 'string');
    expect(external?.externalDependencies).toEqual(expect.arrayContaining(['dockerfile-ast', 'zod']));
    expect(external?.externalDependencies).not.toContain('tar-stream');
  });
});

describe('installed plugin', () => {
  it('is a package input: Nx hashes its locked version', () => {
    expect(isInstalled('/ws', '/ws/node_modules/@lucid/nx-lucid')).toBe(true);
    expect(isInstalled('/ws', '/elsewhere/nx-lucid')).toBe(true);
    expect(isInstalled('/ws', '/ws/tools/nx-lucid')).toBe(false);
    expect(
      buildCodeInputsFor(
        '/ws',
        '/ws/node_modules/@lucid/nx-lucid',
        { files: ['/ws/node_modules/@lucid/nx-lucid/x.js'], packages: ['zod'] },
        true,
      ),
    ).toEqual([{ externalDependencies: ['@lucid/nx-lucid'] }]);
  });
});

describe('the compiled plugin inside a workspace that holds its sources', () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'lucid-code-inputs-'));
    const put = (rel: string, text: string) => {
      mkdirSync(dirname(join(ws, rel)), { recursive: true });
      writeFileSync(join(ws, rel), text);
    };
    put('tools/p/src/nx/executors/build/executor.ts', "import { label } from '../../../image/labels';\n");
    put('tools/p/src/image/labels.ts', "import { z } from 'zod';\n");
    put('tools/p/dist/src/nx/executors/build/executor.js', 'require("../../../image/labels");\n');
    put('tools/p/dist/src/image/labels.js', 'require("zod");\n');
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('names the sources dist/ was built from, not dist/ (git-ignored, so Nx would hash nothing)', () => {
    // What a module of dist/src/graph computes as its package root.
    expect(buildCodeInputs(ws, join(ws, 'tools/p/dist'))).toEqual([
      '{workspaceRoot}/tools/p/src/image/labels.ts',
      '{workspaceRoot}/tools/p/src/nx/executors/build/executor.ts',
      { externalDependencies: ['zod'] },
    ]);
  });
});

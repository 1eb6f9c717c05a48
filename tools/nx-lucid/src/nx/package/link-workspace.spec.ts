import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The script ensure-deps.sh runs (plain JS, outside src/).
const { forwardingPackage, link } = require('../../../scripts/link-workspace.js') as {
  forwardingPackage: () => Record<string, string>;
  link: (workspaceRoot: string) => void;
};

const PACKAGE_ROOT = join(__dirname, '../../..');
const WORKSPACE = join(PACKAGE_ROOT, '../..');

describe('node_modules/@lucid/nx-lucid, the forwarding package', () => {
  const files = forwardingPackage();
  const json = (f: string) => JSON.parse(files[f]) as Record<string, Record<string, Record<string, string>>>;
  const inPlace = join(WORKSPACE, 'node_modules/@lucid/nx-lucid');

  it('forwards every executor and generator to a module the plugin has, with the schema beside its source', () => {
    const entries = [
      ...Object.values(json('executors.json').executors).flatMap((e) => [
        [e.implementation, e.schema],
        ...(e.batchImplementation ? [[e.batchImplementation, e.schema]] : []),
      ]),
      ...Object.values(json('generators.json').generators).map((g) => [g.factory, g.schema]),
    ];
    expect(entries.length).toBeGreaterThanOrEqual(11);
    for (const [forward, schema] of entries) {
      const rel = /^\.\/forward\/(.+)\.js$/.exec(forward)?.[1];
      expect(rel).toBeDefined();
      expect(files[`forward/${rel}.js`]).toContain(`loadFreshOrSource('${rel}')`);
      expect(existsSync(join(PACKAGE_ROOT, 'src', `${rel}.ts`))).toBe(true);
      expect(existsSync(join(inPlace, schema))).toBe(true);
    }
    expect(JSON.parse(files['package.json'])).toMatchObject({ name: '@lucid/nx-lucid', main: './forward/index.js' });
    expect(files['forward/index.js']).toContain("loadFreshOrSource('index')");
  });

  it('is written once, rewritten only when it differs, and never replaces a package it did not write', () => {
    const ws = mkdtempSync(join(tmpdir(), 'lucid-link-'));
    try {
      link(ws);
      const target = join(ws, 'node_modules/@lucid/nx-lucid');
      expect(readFileSync(join(target, 'executors.json'), 'utf8')).toBe(files['executors.json']);
      writeFileSync(join(target, 'forward/index.js'), 'tampered');
      link(ws);
      expect(readFileSync(join(target, 'forward/index.js'), 'utf8')).toBe(files['forward/index.js']);

      // A real install (or a link to one) stays.
      rmSync(target, { recursive: true });
      mkdirSync(join(ws, 'elsewhere'));
      writeFileSync(join(ws, 'elsewhere/package.json'), '{"name":"@lucid/nx-lucid","version":"9.9.9"}');
      symlinkSync(join(ws, 'elsewhere'), target);
      link(ws);
      expect(readFileSync(join(target, 'package.json'), 'utf8')).toContain('9.9.9');
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('node_modules/.bin/lucid, the workspace CLI', () => {
  const { binShim, linkBin } = require('../../../scripts/link-workspace.js') as {
    binShim: () => string;
    linkBin: (workspaceRoot: string) => void;
  };

  it('is written executable, and leaves a lucid bin it did not write', () => {
    const ws = mkdtempSync(join(tmpdir(), 'lucid-bin-'));
    try {
      linkBin(ws);
      const bin = join(ws, 'node_modules/.bin/lucid');
      expect(readFileSync(bin, 'utf8')).toBe(binShim());
      expect(statSync(bin).mode & 0o111).not.toBe(0);
      writeFileSync(bin, '#!/bin/sh\necho another package\n');
      linkBin(ws);
      expect(readFileSync(bin, 'utf8')).toContain('another package');
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it("runs this workspace's CLI (what the generated workflows call with npx --no-install lucid)", () => {
    const r = spawnSync(join(WORKSPACE, 'node_modules/.bin/lucid'), ['no-such-command'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('usage: lucid affected');
  });
});

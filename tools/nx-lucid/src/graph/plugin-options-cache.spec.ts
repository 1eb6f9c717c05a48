import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizePluginOptions, PLUGIN_DEFAULTS } from '../config/options';

/**
 * The normalised plugin options kept by code and options hash: the same value as zod's, from the file on a later
 * process without loading zod (config/options.ts), and never stored for invalid options.
 */
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lucid-options-cache-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  jest.resetModules();
});

/** The cache module as a new process loads it; `zodThrows`: requiring config/options.ts fails. */
function freshModule(zodThrows: boolean): typeof import('./plugin-options-cache') {
  let loaded: typeof import('./plugin-options-cache') | undefined;
  jest.isolateModules(() => {
    if (zodThrows)
      jest.doMock('../config/options', () => {
        throw new Error('config/options.ts loaded');
      });
    else jest.dontMock('../config/options');
    loaded = require('./plugin-options-cache');
  });
  return loaded!;
}

const RAW = { registry: 'registry.example:5000', gate: { cvssThreshold: 9 } };
const dataFiles = () => readdirSync(join(root, '.nx', 'workspace-data'));

describe('normalizedPluginOptions', () => {
  it('gives zod’s reading the first time and the same from the file later, without loading zod', () => {
    const first = freshModule(false).normalizedPluginOptions(root, RAW, () => 'code');
    expect(first).toEqual(
      JSON.parse(JSON.stringify({ configured: normalizePluginOptions(RAW), defaults: PLUGIN_DEFAULTS })),
    );
    const later = freshModule(true).normalizedPluginOptions(root, RAW, () => 'code');
    expect(later).toEqual(first);
  });

  it('other options or other plugin code are normalised again', () => {
    freshModule(false).normalizedPluginOptions(root, RAW, () => 'code');
    expect(() => freshModule(true).normalizedPluginOptions(root, { ...RAW, engine: 'buildah' }, () => 'code')).toThrow(
      'config/options.ts loaded',
    );
    expect(() => freshModule(true).normalizedPluginOptions(root, RAW, () => 'other code')).toThrow(
      'config/options.ts loaded',
    );
  });

  it('invalid options fail with zod’s message every time and are not stored', () => {
    const bad = { registry: 'HTTPS://Ghcr.io' };
    for (let i = 0; i < 2; i++)
      expect(() => freshModule(false).normalizedPluginOptions(root, bad, () => 'code')).toThrow(
        /Invalid @lucid\/nx-lucid options in nx.json:[\s\S]*registry must be a lowercase host/,
      );
    expect(() => dataFiles()).toThrow();
  });
});

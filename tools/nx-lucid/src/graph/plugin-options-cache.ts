/**
 * The plugin options as the graph hooks use them, without loading zod when nothing changed: normalising is a pure
 * function of the plugin code and the raw options, so its result (and the defaults) is kept in the workspace data
 * directory under the hash of both (graph-cache.ts). zod (config/options.ts: ~60-80 ms to load, most of the
 * plugin's start) is required only when that entry is missing; invalid options are never stored, so they fail
 * every time with zod's message, as before.
 */
import type { PluginOptions, PluginOptionsInput } from '../config/options';
import { GraphCache, pluginCodeHash } from './graph-cache';

export interface NormalizedOptions {
  /** normalizePluginOptions(raw): the configured options with every default filled in. */
  configured: PluginOptions;
  /** PLUGIN_DEFAULTS: what each option is when nx.json does not set it. */
  defaults: PluginOptions;
}

const KEY = 'options';
/** Per process: createNodes and createDependencies of one worker ask for the same options. */
const known = new Map<string, NormalizedOptions>();

/** zod's reading of `raw`, as JSON (exactly what a later command gets back from the file). */
function normalizeWithZod(raw: PluginOptionsInput | undefined): NormalizedOptions {
  const { normalizePluginOptions, PLUGIN_DEFAULTS } =
    require('../config/options') as typeof import('../config/options');
  return JSON.parse(JSON.stringify({ configured: normalizePluginOptions(raw), defaults: PLUGIN_DEFAULTS }));
}

/** The normalised options for `raw` (throws zod's message for invalid options), from the cache when it has them. */
export function normalizedPluginOptions(
  workspaceRoot: string,
  raw: PluginOptionsInput | undefined,
  codeHash: () => string = pluginCodeHash,
): NormalizedOptions {
  const memoKey = JSON.stringify([workspaceRoot, raw ?? {}]);
  const remembered = known.get(memoKey);
  if (remembered) return remembered;
  const cache = GraphCache.forPlugin<NormalizedOptions>(workspaceRoot, ['plugin options', raw ?? {}], codeHash);
  const hit = cache.get(KEY)?.value;
  const value = hit ?? normalizeWithZod(raw);
  if (!hit) {
    cache.set(KEY, { observations: [], value });
    cache.save();
  }
  known.set(memoKey, value);
  return value;
}

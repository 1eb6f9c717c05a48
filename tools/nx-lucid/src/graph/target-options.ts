/**
 * What an inferred target's options carry: only the plugin-wide values its executor would not pick by itself.
 * Nx merges every leaf of every target of every project (with a source map per property) and sends the whole
 * project set to the plugin worker as JSON, so 1000 services × 6 targets × ~15 default leaves is a real cost.
 * A key is listed for an executor only where that executor's zod schema (src/executors/<name>/options.ts) takes
 * the plugin option's default from config/options.ts; src/executors/inferred-options.spec.ts parses both forms
 * with each schema.
 */
import type { PluginOptions } from '../config/options';

type PluginWideKey =
  | 'registry'
  | 'repository'
  | 'platforms'
  | 'engine'
  | 'buildCache'
  | 'attestations'
  | 'registryMirrors'
  | 'insecureRegistries'
  | 'gate'
  | 'latestOnBranch'
  | 'tags'
  | 'phaseTagPrefix'
  | 'retention';

/** Per executor, the plugin-wide options its schema defaults to the plugin's own default. */
export const SCHEMA_DEFAULTED: Record<'build' | 'scan' | 'verify' | 'push' | 'release', readonly PluginWideKey[]> = {
  build: [
    'registry',
    'repository',
    'platforms',
    'engine',
    'buildCache',
    'attestations',
    'registryMirrors',
    'insecureRegistries',
    'phaseTagPrefix',
  ],
  // Not the gate: scan's cache key holds no plugin code, so its options must (a changed default re-runs scans).
  scan: ['insecureRegistries'],
  verify: ['platforms'],
  push: ['latestOnBranch', 'tags', 'insecureRegistries', 'phaseTagPrefix'],
  release: ['insecureRegistries', 'retention'],
};

/** Structural equality of JSON-like values (option values are parsed JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as never)[k], (b as never)[k]));
}

/**
 * The options object without the listed keys whose value equals the plugin default (undefined values go too:
 * the executor's schema fills them). Everything else is kept as given.
 */
export function withoutDefaults(
  values: Record<string, unknown>,
  keys: readonly PluginWideKey[],
  defaults: PluginOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if ((keys as readonly string[]).includes(k) && sameValue(v, defaults[k as PluginWideKey])) continue;
    out[k] = v;
  }
  return out;
}

/**
 * withoutDefaults for one createNodes round, where every project passes the same option values (the same
 * objects): whether a value equals its default is worked out once per key and value, not once per target.
 */
export function roundSlimmer(
  defaults: PluginOptions,
): (keys: readonly PluginWideKey[], values: Record<string, unknown>) => Record<string, unknown> {
  const decided = new Map<string, { value: unknown; isDefault: boolean }>();
  const isDefault = (key: PluginWideKey, value: unknown) => {
    let d = decided.get(key);
    if (!d || d.value !== value) decided.set(key, (d = { value, isDefault: sameValue(value, defaults[key]) }));
    return d.isDefault;
  };
  return (keys, values) => {
    const out: Record<string, unknown> = {};
    for (const k in values) {
      const v = values[k];
      if (v === undefined) continue;
      if ((keys as readonly string[]).includes(k) && isDefault(k as PluginWideKey, v)) continue;
      out[k] = v;
    }
    return out;
  };
}

/**
 * The ci generator's options as they come from the CLI: list options split, and the subset the user passed
 * (recorded in the workflow header so a later regeneration, e.g. by the service generator, reproduces this one).
 */

/** `--phases=1,3` may arrive as "1,3" or ["1","3"] from the CLI. */
export function normalizeCliArrays(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const phases = out.phases;
  if (typeof phases === 'string' || typeof phases === 'number') out.phases = String(phases).split(',');
  if (Array.isArray(out.phases)) {
    out.phases = out.phases
      .flatMap((p) => String(p).split(','))
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
  }
  return out;
}

/** The options the user passed (not the defaults) that are generator options, sorted by name. */
export function recordedOptions(raw: unknown, optionNames: readonly string[]): Record<string, unknown> {
  const parsed = normalizeCliArrays(raw ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(parsed)
      .filter(([k, v]) => v !== undefined && optionNames.includes(k))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

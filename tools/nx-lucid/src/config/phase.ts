import { PLUGIN_DEFAULTS } from './options';

/** The phase number from project tags such as "phase:2" (prefix: the phaseTagPrefix plugin option). */
export function phaseFromTags(
  tags: readonly string[] | undefined,
  prefix: string = PLUGIN_DEFAULTS.phaseTagPrefix,
): number | null {
  for (const tag of tags ?? []) {
    if (!tag.startsWith(prefix)) continue;
    const n = Number(tag.slice(prefix.length));
    if (Number.isInteger(n) && n > 0) return n;
  }
  return null;
}

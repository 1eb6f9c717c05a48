/** Small pieces of instruction syntax the Dockerfile model shares. */
import { posix } from 'node:path';

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** BuildKit instructions/parse.go `validStageName` (checked after lowercasing). */
export const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Build args BuildKit defines for every build; their values depend on the platform being built. */
export const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
];

/** A source as BuildKit resolves it inside the context: posix, no leading "./" or "/", `..` clamped to the root. */
export function normaliseSource(raw: string): string {
  const norm = posix.normalize(`/${raw}`).replace(/^\/+/, '').replace(/\/+$/, '');
  return norm === '' ? '.' : norm;
}

/**
 * The JSON (exec) form of an instruction, parsed from its raw text: the parser's argument list splits on
 * whitespace and so loses spaces inside JSON strings. Null when the array is not valid JSON strings.
 */
export function jsonForm(raw: string, escapeChar: string): string[] | null {
  const joined = raw.split(new RegExp(`\\${escapeChar}[ \\t]*\\n`)).join('');
  const start = joined.indexOf('[');
  if (start < 0) return null;
  try {
    const value: unknown = JSON.parse(joined.slice(start).trim());
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return null;
    return value as string[];
  } catch {
    return null;
  }
}

/** Parses `type=bind,source=x,from=y` mount options. */
export function mountOptions(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) out[part.trim().toLowerCase()] = 'true';
    else out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * ENV/LABEL in the `name=value ...` form (first word has "="): every word must have one. BuildKit
 * (parser/line_parsers.go parseNameVal): `Syntax error - can't find = in "RUN". Must be of the form: name=value` —
 * typically an ENV whose last line ends in `\` and so swallows the next instruction.
 */
export function nameValueProblem(
  words: readonly string[],
  props: ReadonlyArray<{ name: string; value: string | null }>,
): string | undefined {
  if (!words[0]?.includes('=')) return undefined;
  const bad = props.find((p) => p.value === null);
  if (!bad) return undefined;
  return `Syntax error - can't find = in "${bad.name}". Must be of the form: name=value (does the line before end in a stray "\\"?)`;
}

/**
 * Source and destination words of COPY/ADD, or the reason they are malformed. Heredoc words (`<<EOF`,
 * `<< 'EOF'`) are inline content, not files from the context.
 */
export function copyPaths(
  keyword: string,
  words: string[],
  text: string,
  escapeChar: string,
  hasHeredoc: boolean,
): string[] | string {
  const args = words.filter((w) => !w.startsWith('--'));
  let paths: string[];
  if (args[0]?.startsWith('[')) {
    const parsed = jsonForm(text, escapeChar);
    if (!parsed) return `${keyword} has a malformed JSON array (expected ["src", ..., "dest"])`;
    paths = parsed;
  } else if (hasHeredoc) {
    paths = [];
    for (let i = 0; i < args.length; i++) {
      if (/^\d*<<-?$/.test(args[i])) i++;
      else if (!/^\d*<</.test(args[i])) paths.push(args[i]);
    }
    // Only heredocs and a destination: nothing from the context.
    if (paths.length <= 1) return [];
  } else {
    paths = args;
  }
  if (paths.length < 2) return `${keyword} needs at least one source and a destination`;
  return paths;
}

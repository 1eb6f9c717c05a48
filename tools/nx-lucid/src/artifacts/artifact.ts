/** One output file with its zod schema: validated, then written atomically through the file-write boundary; read back through the same schema. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../boundary/files';
import { formatIssues } from '../config/options';

export interface Artifact<S extends z.ZodType> {
  /** Path relative to the build output folder (<outputPath>). */
  file: string;
  schema: S;
  what: string;
}

export const artifact = <S extends z.ZodType>(file: string, schema: S, what: string): Artifact<S> => ({
  file,
  schema,
  what,
});

function checked<S extends z.ZodType>(a: Artifact<S>, raw: unknown, shown: string): z.output<S> {
  const parsed = a.schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${shown} does not match the ${a.what} schema:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Validates, then writes <dir>/<artifact file> atomically, as given (the schema checks, it does not reshape). */
export function writeArtifact<S extends z.ZodType>(dir: string, a: Artifact<S>, value: z.input<S>): void {
  const file = join(dir, a.file);
  checked(a, value, file);
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads <dir>/<artifact file> through its schema; undefined when it does not exist. */
export function readArtifact<S extends z.ZodType>(dir: string, a: Artifact<S>): z.output<S> | undefined {
  const file = join(dir, a.file);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return checked(a, raw, file);
}

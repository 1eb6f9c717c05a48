/**
 * Writes schema.json beside every executor/generator options.ts from its zod schema (`export const schema`),
 * so Nx validates and documents options from the same source the code parses them with. (The zod source is
 * not named schema.ts: Nx's `require('./schema')` would resolve schema.json before it.)
 * Each option's description is its zod field's .describe() (the one source for schema.json, --help and Nx Console);
 * an option without one is an error. Internal options carry .meta({ 'x-priority': 'internal', hidden: true }).
 * `--check` fails when a schema.json is stale (used by the tests).
 */
import { readdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const root = join(__dirname, '..', 'src', 'nx');
const check = process.argv.includes('--check');

interface SchemaProperty {
  description?: string;
  type?: string | string[];
  anyOf?: Array<{ type?: string }>;
}

/**
 * A union (zod's anyOf) gets the list of its branches' types as its own `type` (JSON Schema allows a list; Nx
 * validates against it and `--help` prints it), instead of `[undefined]` in --help.
 */
function withBranchTypes(property: SchemaProperty): void {
  if (property.type || !property.anyOf?.every((branch) => branch.type)) return;
  property.type = [...new Set(property.anyOf.map((branch) => branch.type!))];
}

/** The JSON Schema checks Nx applies besides `type`; in a batch executor's schema.json, zod applies them instead. */
const CHECKS = ['enum', 'const', 'pattern', 'format', 'minLength', 'maxLength', 'minimum', 'maximum'];
const MORE_CHECKS = ['exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems'];

/**
 * Nx batch mode checks every task's options against schema.json before any plugin code runs and outside any try
 * (nx/src/tasks-runner/batch/run-batch.js): a failed check ends the batch process as `UnhandledPromiseRejection
 * "#<SchemaError>"`, losing the option and the reason. So a batch executor's schema.json keeps types, defaults and
 * descriptions (coercion, --help) and leaves every other check to the zod schema, which fails only that task and
 * names the option and the reason. An enum's values move into the description, for --help.
 */
function withoutNxChecks(node: Record<string, unknown>): void {
  if (Array.isArray(node.enum) && typeof node.description === 'string') {
    const values = node.enum.map(String);
    if (!values.every((v) => (node.description as string).includes(v)))
      node.description += ` One of: ${values.join(', ')}.`;
  }
  for (const key of [...CHECKS, ...MORE_CHECKS, 'required']) delete node[key];
  // Nx's type check too: a lone anyOf branch that also takes a string replaces it (Nx checks the branches instead
  // of the type), while `type` still drives coercion of command-line strings and --help (which would list a
  // oneOf's types, not an anyOf's); JSON Schema readers still see the type, since a value must satisfy both.
  if (
    typeof node.type === 'string' &&
    ['boolean', 'number', 'integer'].includes(node.type) &&
    !node.oneOf &&
    !node.anyOf
  )
    node.anyOf = [{ type: [node.type, 'string'] }];
  if (node.additionalProperties === false) delete node.additionalProperties;
  // Only into subschemas: a default or an example is data, whose keys may share a keyword's name.
  const children = [
    ...Object.values((node.properties ?? {}) as object),
    ...Object.values((node.$defs ?? node.definitions ?? {}) as object),
    ...[node.items, node.additionalProperties].filter((c) => c && typeof c === 'object'),
    ...(['anyOf', 'oneOf', 'allOf'] as const).flatMap((k) => (node[k] ?? []) as object[]),
  ];
  for (const child of children) withoutNxChecks(child as Record<string, unknown>);
}

const executorsJson = JSON.parse(readFileSync(join(__dirname, '..', 'executors.json'), 'utf8')) as {
  executors: Record<string, { batchImplementation?: string; schema: string }>;
};
/** Folder names (src/nx/executors/<name>) of the executors Nx may run in batch mode. */
const batchFolders = new Set(
  Object.values(executorsJson.executors)
    .filter((e) => e.batchImplementation)
    .map((e) => e.schema.split('/').slice(-2)[0]),
);
let stale = 0;
const undocumented: string[] = [];
for (const kind of ['executors', 'generators']) {
  for (const name of readdirSync(join(root, kind))) {
    const ts = join(root, kind, name, 'options.ts');
    if (!existsSync(ts)) continue;

    const mod = require(ts) as { schema: z.ZodType; title?: string; description?: string };
    const json = z.toJSONSchema(mod.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    const properties = (json.properties ?? {}) as Record<string, SchemaProperty>;
    for (const [key, property] of Object.entries(properties)) {
      if (!property.description?.trim()) undocumented.push(`${kind}/${name}: ${key}`);
      withBranchTypes(property);
    }
    if (kind === 'executors' && batchFolders.has(name)) withoutNxChecks(json);
    const out =
      JSON.stringify(
        {
          $schema: 'https://json-schema.org/draft-07/schema',
          version: 2,
          title: mod.title ?? `${name} ${kind.slice(0, -1)}`,
          description: mod.description ?? '',
          ...json,
        },
        null,
        2,
      ) + '\n';
    const file = join(root, kind, name, 'schema.json');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current !== out) {
      stale++;
      if (check) console.error(`stale: ${file}`);
      else writeFileSync(file, out);
    }
  }
}
if (undocumented.length) {
  console.error(`options without a description (add .describe() to the zod field):\n  ${undocumented.join('\n  ')}`);
  process.exit(1);
}
if (check && stale) {
  console.error(`${stale} schema.json file(s) are stale: run npm run schemas`);
  process.exit(1);
}

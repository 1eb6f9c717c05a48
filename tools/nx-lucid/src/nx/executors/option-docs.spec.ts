/**
 * Every option of every executor and generator is documented from one source (the zod field's .describe(), written
 * into schema.json by bin/gen-schemas.ts) and printed by Nx's own help printer, the one `nx run <p>:<t> --help`
 * and `nx g … --help` use; internal options are hidden. Every inferred target says what it does and how to get
 * that help, as @nx/docker's targets do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizePluginOptions } from '../../config/options';
import { containerTargets } from '../../graph/create-nodes';
import { analyzeContainerProject } from '../../graph/project-analysis';

interface JsonProperty {
  description?: string;
  hidden?: boolean;
  'x-priority'?: string;
}
interface JsonSchema {
  description?: string;
  properties: Record<string, JsonProperty>;
}

const PACKAGE_ROOT = join(__dirname, '../../..');

/** Every schema the package declares (executors.json and generators.json), read from beside its source. */
function declaredSchemas(): Array<{ kind: 'run' | 'generate'; name: string; schema: JsonSchema }> {
  const out: Array<{ kind: 'run' | 'generate'; name: string; schema: JsonSchema }> = [];
  for (const [file, key, kind] of [
    ['executors.json', 'executors', 'run'],
    ['generators.json', 'generators', 'generate'],
  ] as const) {
    const entries = JSON.parse(readFileSync(join(PACKAGE_ROOT, file), 'utf8'))[key] as Record<
      string,
      { schema: string }
    >;
    for (const [name, entry] of Object.entries(entries)) {
      const path = join(PACKAGE_ROOT, entry.schema.replace(/^\.\/dist\//, ''));
      out.push({ kind, name, schema: JSON.parse(readFileSync(path, 'utf8')) });
    }
  }
  return out;
}

/** What Nx's help printer prints for a schema, colours stripped, on a terminal wide enough not to wrap. */
function nxHelp(schema: JsonSchema, kind: 'run' | 'generate', name: string): string {
  const { printHelp } = require('nx/src/utils/print-help');
  const { logger } = require('nx/src/utils/logger');
  const columns = process.stdout.columns;
  const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  process.stdout.columns = 2_000;
  try {
    printHelp(`nx ${kind} x`, structuredClone(schema), {
      mode: kind,
      plugin: '@lucid/nx-lucid',
      entity: name,
      aliases: [],
    });
    return info.mock.calls
      .map((c) => String(c[0]))
      .join('\n')
      .replace(/\x1b\[[0-9;]*m/g, '');
  } finally {
    process.stdout.columns = columns;
    info.mockRestore();
  }
}

/** Options set by Nx or by createNodes, never by a person: hidden from --help. */
const INTERNAL: Record<string, string[]> = {
  build: ['dockerfileError'],
  release: ['_'],
  'release-publish': ['access', 'firstRelease', 'nxReleaseVersionData', 'otp', 'tag', 'verbose'],
};

const schemas = declaredSchemas();

describe('option documentation: one source, printed by --help', () => {
  it('reads all ten schemas', () => expect(schemas.length).toBe(10));

  it.each(schemas.map((s) => [s.name, s] as const))('%s: every property has a description', (_name, { schema }) => {
    expect(schema.description?.trim()).toBeTruthy();
    const undocumented = Object.entries(schema.properties).filter(([, p]) => !p.description?.trim());
    expect(undocumented.map(([key]) => key)).toEqual([]);
  });

  it.each(schemas.map((s) => [s.name, s] as const))(
    "%s: Nx's help printer shows every option with its description and hides the internal ones",
    (name, { kind, schema }) => {
      const lines = nxHelp(schema, kind, name).split('\n');
      const hidden = Object.keys(schema.properties).filter((k) => schema.properties[k].hidden);
      expect(hidden.sort()).toEqual(INTERNAL[name] ?? []);
      for (const key of hidden) expect(schema.properties[key]['x-priority']).toBe('internal');
      for (const [key, property] of Object.entries(schema.properties)) {
        const line = lines.find((l) => new RegExp(`^\\s+--${key.replace(/[$_]/g, '\\$&')}\\s`).test(l));
        if (property.hidden) expect({ key, line }).toEqual({ key, line: undefined });
        else expect({ key, line: line?.includes(property.description!) }).toEqual({ key, line: true });
      }
    },
  );

  it('every inferred target carries metadata.description and metadata.help as @nx/docker targets do', () => {
    const files: Record<string, string> = { 'apps/api/Dockerfile': 'FROM scratch\n' };
    const project = analyzeContainerProject(
      { exists: (p) => p in files, read: (p) => files[p] },
      { root: 'apps/api', dockerfile: 'apps/api/Dockerfile' },
    );
    const targets = containerTargets(project, 'api', normalizePluginOptions({}));
    expect(Object.keys(targets).length).toBe(6);
    for (const [name, target] of Object.entries(targets)) {
      expect({ name, description: typeof target.metadata?.description }).toEqual({ name, description: 'string' });
      expect({ name, help: target.metadata?.help?.command }).toEqual({ name, help: `npx nx run api:${name} --help` });
      expect(target.metadata?.help?.example).toBeDefined();
    }
  });
});

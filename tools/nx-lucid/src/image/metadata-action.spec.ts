/**
 * docker/metadata-action v6.2.0's own tag test table (__tests__/meta.test.ts), transcribed into
 * metadata-action/cases.json by scripts/port-metadata-action-cases.js (origin and licence: metadata-action/SOURCES.md),
 * run against our rule parser, context and engine. Every case gives the action's tags: none of the 131 touches a
 * deliberate difference (those are in tag-rules.spec.ts, each beside what the action would make).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_DEFAULT_TAG_RULES, parseTagFlavor, parseTagRules } from '../config/tag-rules';
import { EventPayload, tagContextFrom } from './tag-context';
import { computeTags } from './tag-engine';

interface PortedCase {
  group: string;
  name: string;
  envFile: string;
  extraEnv?: Record<string, string>;
  images: string[];
  tags?: string[];
  flavor?: string[];
  expected: { version?: { main?: string; partial: string[]; latest: boolean }; tags: string[]; tagNames: string[] };
}

const table = JSON.parse(readFileSync(join(__dirname, 'metadata-action', 'cases.json'), 'utf8')) as {
  now: string;
  repoDefaultBranch: string;
  contexts: Record<string, { env: Record<string, string>; payload: EventPayload }>;
  cases: PortedCase[];
};

function run(c: PortedCase) {
  const { env, payload } = table.contexts[c.envFile];
  const now = new Date(table.now);
  const ctx = {
    ...tagContextFrom({ env: { ...env, ...c.extraEnv }, payload, latestOnBranch: table.repoDefaultBranch, now }),
    // The action's test mocks moment-timezone to one instant for every date, commit dates included.
    commitDate: now,
  };
  const rules = parseTagRules(c.tags && c.tags.length ? c.tags : ACTION_DEFAULT_TAG_RULES);
  return computeTags(rules, parseTagFlavor(c.flavor ?? []), ctx);
}

/**
 * image:tag for every enabled image, as the action's getTags lists them. Image names are not ours to port (ours
 * are <registry>/<repository>/<service>): only the `name,enable=false` form the table uses is read here.
 */
function withImages(images: string[], names: string[]): string[] {
  const enabled = images.filter((i) => !/,\s*enable=false/.test(i)).map((i) => i.split(',')[0].toLowerCase());
  return enabled.length ? enabled.flatMap((image) => names.map((n) => `${image}:${n}`)) : names;
}

describe('docker/metadata-action v6.2.0 test table', () => {
  it('holds the transcribed cases', () => {
    expect(table.cases.length).toBe(131);
    expect(new Set(table.cases.map((c) => `${c.group}/${c.name}`)).size).toBe(131);
  });

  it.each(table.cases.map((c) => [`${c.group}/${c.name}`, c] as const))('%s gives the action’s tags', (_name, c) => {
    const plan = run(c);
    const names = plan.tags.map((t) => t.tag);
    expect(names).toEqual(c.expected.tagNames);
    expect(withImages(c.images, names)).toEqual(c.expected.tags);
    if (c.expected.version) {
      expect(plan.version).toEqual({ ...c.expected.version, main: c.expected.version.main ?? undefined });
    }
  });
});

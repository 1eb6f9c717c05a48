/**
 * The tag rule syntax of the plugin option `tags` and its flavor (`tagFlavor`): docker/metadata-action v6.2.0's
 * (src/tag.ts, src/flavor.ts), as objects or as the action's own `type=…,key=value` strings, both normalised to
 * the action's { type, attrs } form with its defaults and errors. Two Lucid rule types are added: `phase-sha`
 * and `latest`. A leaf: imports only zod and csv-record.ts (the action's CSV reading of the string form).
 */
import { z } from 'zod';
import { csvFields } from './csv-record';

export const ACTION_RULE_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
/** Lucid's own: phase<N>-<sha>, and `latest` decided by branch or by release (when=branch|auto|always|never). */
export const LUCID_RULE_TYPES = ['phase-sha', 'latest'] as const;
export type TagRuleType = (typeof ACTION_RULE_TYPES)[number] | (typeof LUCID_RULE_TYPES)[number];

/** The action's default priorities (src/tag.ts DefaultPriorities); higher runs first and makes the main tag. */
const DEFAULT_PRIORITY: Record<TagRuleType, string> = {
  schedule: '1000',
  semver: '900',
  pep440: '900',
  match: '800',
  edge: '700',
  ref: '600',
  raw: '200',
  sha: '100',
  'phase-sha': '100',
  latest: '0',
};

/** One rule, as the action holds it: every attribute a string, defaults filled. */
export interface TagRule {
  type: TagRuleType;
  attrs: Record<string, string>;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The object form: the action's attribute names as keys (case-insensitive, as in its strings). */
export const tagRuleObjectSchema = z
  .object({
    type: z.enum([...ACTION_RULE_TYPES, ...LUCID_RULE_TYPES], {
      error: () =>
        `unknown tag rule type; expected one of ${[...ACTION_RULE_TYPES, ...LUCID_RULE_TYPES].join(', ')} ` +
        `(a branch or pull request tag is {type: "ref", event: "branch" | "pr"})`,
    }),
    event: z.enum(['branch', 'tag', 'pr']).optional(),
    pattern: z.string().optional(),
    value: z.string().optional(),
    match: z.string().optional(),
    group: scalar.optional(),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    format: z.enum(['short', 'long']).optional(),
    branch: z.string().optional(),
    enable: scalar.optional(),
    priority: scalar.optional(),
    /** `latest` only: branch (on latestOnBranch), auto (the highest release), always, never. */
    when: z.enum(['branch', 'auto', 'always', 'never']).optional(),
    /** semver/pep440: also make a `{{major}}` tag of 0 for a 0.x version (Lucid makes none by default). */
    zeroMajor: scalar.optional(),
  })
  .strict();

export type TagRuleObject = z.input<typeof tagRuleObjectSchema>;
export type TagRuleInput = string | TagRuleObject;

/**
 * A rule as written in nx.json: the action's string syntax or the object form; checked as the action checks it.
 * Any object with a type passes the union, so an error names the field (a failed union would only say "Invalid input").
 */
export const tagRuleSchema = z
  .union([z.string().min(1), z.looseObject({ type: z.string() })])
  .superRefine((rule, ctx) => {
    if (typeof rule !== 'string') {
      const checked = tagRuleObjectSchema.safeParse(rule);
      if (!checked.success) {
        for (const issue of checked.error.issues)
          ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
        return;
      }
    }
    try {
      parseTagRule(rule as TagRuleInput);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  }) as unknown as z.ZodType<TagRuleInput, TagRuleInput>;

/** Lucid's tags when nothing is configured: full SHA, phase<N>-<sha>, v{{version}} for a release, latest on latestOnBranch. */
export const DEFAULT_TAG_RULES: TagRuleObject[] = [
  { type: 'sha', format: 'long', prefix: '' },
  { type: 'phase-sha' },
  { type: 'semver', pattern: '{{version}}', prefix: 'v' },
  { type: 'latest', when: 'branch' },
];

/** The action's rules when its `tags` input is empty (src/tag.ts Transform). */
export const ACTION_DEFAULT_TAG_RULES: readonly string[] = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr',
];

function attrsOfString(s: string): { type?: string; attrs: Record<string, string> } {
  const attrs: Record<string, string> = {};
  let type: string | undefined;
  for (const field of csvFields(s)) {
    const parts = field
      .toString()
      .split(/(?<=^[^=]+?)=/)
      .map((item) => item.trim());
    if (parts.length === 1) attrs.value = parts[0];
    else if (parts[0].toLowerCase() === 'type') type = parts[1];
    else attrs[parts[0].toLowerCase()] = parts[1];
  }
  return { type, attrs };
}

function attrsOfObject(o: TagRuleObject): { type: string; attrs: Record<string, string> } {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'type' && v !== undefined) attrs[k.toLowerCase()] = String(v);
  return { type: o.type, attrs };
}

const has = (attrs: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(attrs, key);

/** The action's per-type defaults and checks (src/tag.ts Parse), plus Lucid's two types. */
function fillDefaults(type: TagRuleType, attrs: Record<string, string>, s: string): void {
  const need = (key: string) => {
    if (!has(attrs, key)) throw new Error(`Missing ${key} attribute for ${s}`);
  };
  const fallback = (key: string, value: string) => {
    if (!has(attrs, key)) attrs[key] = value;
  };
  switch (type) {
    case 'schedule':
      return fallback('pattern', 'nightly');
    case 'semver':
    case 'pep440':
      need('pattern');
      fallback('value', '');
      return fallback('match', '');
    case 'match':
      need('pattern');
      fallback('group', '0');
      if (isNaN(+attrs.group)) throw new Error(`Invalid match group for ${s}`);
      return fallback('value', '');
    case 'edge':
      return fallback('branch', '');
    case 'ref':
      need('event');
      if (!['branch', 'tag', 'pr'].includes(attrs.event)) throw new Error(`Invalid event for ${s}`);
      if (attrs.event === 'pr') fallback('prefix', 'pr-');
      return;
    case 'raw':
      return need('value');
    case 'sha':
      fallback('prefix', 'sha-');
      fallback('format', 'short');
      if (!['short', 'long'].includes(attrs.format)) throw new Error(`Invalid format for ${s}`);
      return;
    case 'latest':
      fallback('when', 'branch');
      if (!['branch', 'auto', 'always', 'never'].includes(attrs.when)) throw new Error(`Invalid when for ${s}`);
      return;
    case 'phase-sha':
      return;
  }
}

/** A rule as the action's Parse makes it: { type, attrs } with every default; throws the action's errors. */
export function parseTagRule(rule: TagRuleInput): TagRule {
  const text = typeof rule === 'string' ? rule : describeTagRuleInput(rule);
  const raw = typeof rule === 'string' ? attrsOfString(rule) : attrsOfObject(rule);
  const type = (raw.type ?? 'raw') as TagRuleType;
  if (!(DEFAULT_PRIORITY as Record<string, string>)[type]) throw new Error(`Unknown tag type attribute: ${raw.type}`);
  const attrs = { ...raw.attrs };
  fillDefaults(type, attrs, text);
  if (!has(attrs, 'enable')) attrs.enable = 'true';
  if (!has(attrs, 'priority')) attrs.priority = DEFAULT_PRIORITY[type];
  return { type, attrs };
}

function describeTagRuleInput(o: TagRuleObject): string {
  return [`type=${o.type}`, ...Object.entries(o).flatMap(([k, v]) => (k === 'type' ? [] : [`${k}=${v}`]))].join(',');
}

/** `type=…,key=value`, as the action logs a rule: what the dry-run prints beside each tag. */
export function describeTagRule(rule: TagRule): string {
  const defaulted = (k: string, v: string) =>
    (k === 'enable' && v === 'true') ||
    (k === 'priority' && v === DEFAULT_PRIORITY[rule.type]) ||
    (['value', 'match', 'branch'].includes(k) && v === '' && rule.type !== 'raw');
  const shown = Object.entries(rule.attrs).filter(([k, v]) => !defaulted(k, v));
  return [`type=${rule.type}`, ...shown.map(([k, v]) => `${k}=${v}`)].join(',');
}

/** The rules in the order the action runs them: by priority, highest first, the given order among equals. */
export function parseTagRules(rules: readonly TagRuleInput[]): TagRule[] {
  return rules
    .map(parseTagRule)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => Number(b.r.attrs.priority) - Number(a.r.attrs.priority) || a.i - b.i)
    .map(({ r }) => r);
}

export interface TagFlavor {
  latest: 'auto' | 'true' | 'false';
  prefix: string;
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
}

/** The flavor as an object; `latest` decides the latest tag when no `latest` rule is configured. */
export const tagFlavorObjectSchema = z
  .object({
    latest: z.union([z.enum(['auto', 'true', 'false']), z.boolean()]).optional(),
    prefix: z.string().optional(),
    /** Put the prefix on `latest` too (the action's onlatest=true after prefix=). */
    prefixOnLatest: z.boolean().optional(),
    suffix: z.string().optional(),
    suffixOnLatest: z.boolean().optional(),
  })
  .strict();

/** `tagFlavor`: the action's flavor lines (`latest=auto`, `prefix=foo-,onlatest=true`) or the object form. */
export const tagFlavorSchema = z.union([z.array(z.string()), tagFlavorObjectSchema]).superRefine((flavor, ctx) => {
  try {
    parseTagFlavor(flavor);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});
export type TagFlavorInput = z.input<typeof tagFlavorSchema>;

function flavorLine(flavor: TagFlavor, input: string): void {
  let onlatestfor = '';
  for (const field of csvFields(input)) {
    const parts = field.split('=').map((item) => item.trim());
    if (parts.length === 1) throw new Error(`Invalid flavor entry: ${input}`);
    const [key, value] = [parts[0].toLowerCase(), parts[1]];
    if (key === 'latest') {
      if (!['auto', 'true', 'false'].includes(value)) throw new Error(`Invalid latest flavor entry: ${input}`);
      flavor.latest = value as TagFlavor['latest'];
    } else if (key === 'prefix' || key === 'suffix') {
      flavor[key] = value;
      onlatestfor = key;
    } else if (key === 'onlatest') {
      if (!['true', 'false'].includes(value)) throw new Error(`Invalid value for onlatest attribute: ${value}`);
      if (onlatestfor === 'prefix') flavor.prefixLatest = value === 'true';
      if (onlatestfor === 'suffix') flavor.suffixLatest = value === 'true';
    } else {
      throw new Error(`Unknown flavor entry: ${input}`);
    }
  }
}

/** The action's flavor (src/flavor.ts Transform) from its lines or the object form. */
export function parseTagFlavor(input: TagFlavorInput | undefined): TagFlavor {
  const flavor: TagFlavor = { latest: 'auto', prefix: '', prefixLatest: false, suffix: '', suffixLatest: false };
  if (Array.isArray(input)) {
    for (const line of input) flavorLine(flavor, line);
  } else if (input) {
    if (input.latest !== undefined) flavor.latest = String(input.latest) as TagFlavor['latest'];
    flavor.prefix = input.prefix ?? '';
    flavor.suffix = input.suffix ?? '';
    flavor.prefixLatest = input.prefixOnLatest ?? false;
    flavor.suffixLatest = input.suffixOnLatest ?? false;
  }
  return flavor;
}

/**
 * Tags as docker/metadata-action v6.2.0 computes them (src/meta.ts getVersion, setValue, setVersion,
 * generateTags): the rules in priority order make one main tag and partial tags, the first rule that makes a
 * tag decides latest (flavor latest=auto), prefix/suffix come from the rule or the flavor, every tag is
 * sanitised. Each tag keeps the rule that made it. Lucid's deliberate differences (README, "Tags pushed"):
 * a release asked for by --release-version/nx release, or a `<project>@<version>` git tag, is the version
 * semver/pep440/match rules read; a pull request never makes `latest`; `{{major}}` makes no `0` unless the
 * rule says zeroMajor; the `latest` and `phase-sha` rule types; full-version tags are immutable. Pure.
 */
import type * as Semver from 'semver';
import type * as Pep440 from '@renovatebot/pep440';
import { describeTagRule, TagFlavor, TagRule } from '../config/tag-rules';
import { assertTag } from './naming';
import type { TagContext } from './tag-context';
import { dateHelper, isRawStatement, renderGlobal, renderTemplate, shortSha } from './tag-expressions';

const semver = () => require('semver') as typeof Semver;
const pep440 = () => require('@renovatebot/pep440') as typeof Pep440;

export interface PlannedTag {
  tag: string;
  /** The rule that made it (`type=…,key=value`). */
  rule: string;
  /** Why, for the log and dry-run. */
  reason: string;
  /** A full version tag: never moved to another digest without --force. */
  immutable: boolean;
}

export interface TagPlan {
  tags: PlannedTag[];
  /** Rules that made no tag here, and why. */
  skipped: Array<{ rule: string; reason: string }>;
  /** The action's version output: the main tag, the others, and whether latest is added. */
  version: { main: string | undefined; partial: string[]; latest: boolean };
}

/** What one rule makes: its value before prefix/suffix, and the latest it would decide (flavor latest=auto). */
interface Made {
  value: string;
  autoLatest: boolean;
  reason: string;
  immutable?: boolean;
}
type Outcome = Made | string;

const REF = { heads: /^refs\/heads\//, tags: /^refs\/tags\//, pull: /^refs\/pull\// };

/** The action's sanitizeTag: anything outside [a-zA-Z0-9._-] becomes '-'. */
export function sanitizeTag(tag: string): string {
  return tag.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/**
 * The text semver, pep440 and match rules read: their value=, else the release asked for, else the git tag
 * (a `<project>@<version>` tag of this project read as its version). Undefined: not a tag build.
 */
export function versionInput(rule: TagRule | undefined, ctx: TagContext): string | undefined {
  if (rule && rule.attrs.value.length > 0) return renderGlobal(rule.attrs.value, ctx);
  if (ctx.release) return ctx.release.version;
  if (!REF.tags.test(ctx.ref)) return undefined;
  const name = ctx.ref.replace(REF.tags, '');
  return ctx.project && name.startsWith(`${ctx.project}@`) ? name.slice(ctx.project.length + 1) : name;
}

const NOT_RELEASE = 'not a release (no git tag, --release-version or nx release version)';

/** match=: the first group of the regular expression, when it matches (the action warns and goes on otherwise). */
function matched(rule: TagRule, vraw: string): string {
  if (rule.attrs.match.length === 0) return vraw;
  const m = vraw.match(rule.attrs.match);
  return m ? m[1] : vraw;
}

function semverRule(rule: TagRule, ctx: TagContext): Outcome {
  const input = versionInput(rule, ctx);
  if (input === undefined) return NOT_RELEASE;
  const vraw = matched(rule, input).replace(/\//g, '-');
  if (!semver().valid(vraw)) return `${vraw} is not a valid semver`;
  const sver = semver().parse(vraw, { loose: true })!;
  const pre = semver().prerelease(vraw) !== null;
  const pattern = pre && !isRawStatement(rule.attrs.pattern) ? '{{version}}' : rule.attrs.pattern;
  const value = renderTemplate(pattern, sver);
  if (!pre && sver.major === 0 && value === '0' && !/true/i.test(rule.attrs.zeromajor ?? '')) {
    return `${vraw} is 0.x: no {{major}} tag 0 (zeroMajor=true makes it)`;
  }
  const why = pre ? `${vraw} is a prerelease: its full version only` : `version ${vraw}`;
  return { value, autoLatest: !pre, reason: why, immutable: value === sver.version || value === sver.raw };
}

function pep440Rule(rule: TagRule, ctx: TagContext): Outcome {
  const input = versionInput(rule, ctx);
  if (input === undefined) return NOT_RELEASE;
  const vraw = matched(rule, input).replace(/\//g, '-');
  const p = pep440();
  if (!p.valid(vraw)) return `${vraw} does not conform to PEP 440`;
  const clean = p.clean(vraw)!;
  const v = p.explain(vraw)!;
  if (v.is_prerelease || v.is_postrelease || v.is_devrelease) {
    const value = isRawStatement(rule.attrs.pattern) ? vraw : clean;
    return {
      value,
      autoLatest: false,
      reason: `${vraw} is a pre-, post- or dev-release: its full version only`,
      immutable: true,
    };
  }
  const value = renderTemplate(rule.attrs.pattern, {
    raw: () => vraw,
    version: () => clean,
    major: () => p.major(vraw),
    minor: () => p.minor(vraw),
    patch: () => p.patch(vraw),
  });
  if (p.major(vraw) === 0 && value === '0' && !/true/i.test(rule.attrs.zeromajor ?? '')) {
    return `${vraw} is 0.x: no {{major}} tag 0 (zeroMajor=true makes it)`;
  }
  return { value, autoLatest: true, reason: `version ${vraw}`, immutable: value === clean || value === vraw };
}

function matchRule(rule: TagRule, ctx: TagContext): Outcome {
  const input = versionInput(rule, ctx);
  if (input === undefined) return NOT_RELEASE;
  const { pattern, group } = rule.attrs;
  const re = pattern.match(/^\/(.+)\/(.*)$/);
  const m = re ? input.match(new RegExp(re[1], re[2])) : input.match(pattern);
  if (!m) return `${pattern} does not match ${input}`;
  if (typeof m[group as unknown as number] === 'undefined')
    return `Group ${group} does not exist for ${pattern} pattern`;
  return { value: m[group as unknown as number], autoLatest: true, reason: `${input} matched ${pattern}` };
}

function refRule(rule: TagRule, ctx: TagContext): Outcome {
  const { ref } = ctx;
  switch (rule.attrs.event) {
    case 'branch':
      if (!REF.heads.test(ref)) return 'not a branch build';
      return { value: ref.replace(REF.heads, ''), autoLatest: false, reason: `branch ${ref.replace(REF.heads, '')}` };
    case 'tag':
      if (!REF.tags.test(ref)) return 'not a git tag build';
      return { value: ref.replace(REF.tags, ''), autoLatest: true, reason: `git tag ${ref.replace(REF.tags, '')}` };
    default: {
      if (!REF.pull.test(ref)) return 'not a pull request build';
      const n = ref.replace(REF.pull, '').replace(/\/merge$/g, '');
      return { value: n, autoLatest: false, reason: `pull request #${n}` };
    }
  }
}

function edgeRule(rule: TagRule, ctx: TagContext): Outcome {
  if (!REF.heads.test(ctx.ref)) return 'not a branch build';
  const branch = ctx.ref.replace(REF.heads, '');
  const edgeBranch = rule.attrs.branch || ctx.defaultBranch;
  if (edgeBranch !== branch) return `branch ${branch} is not ${edgeBranch}`;
  return { value: 'edge', autoLatest: false, reason: `on ${edgeBranch}` };
}

function scheduleRule(rule: TagRule, ctx: TagContext): Outcome {
  if (!/schedule/.test(ctx.eventName)) return 'not a schedule event';
  const value = renderTemplate(rule.attrs.pattern, {
    date: dateHelper(ctx.now),
    commit_date: dateHelper(ctx.commitDate, 'commit_date'),
  });
  return { value, autoLatest: false, reason: 'schedule event' };
}

function shaRule(rule: TagRule, ctx: TagContext): Outcome {
  if (!ctx.sha) return 'no git commit known';
  const value = rule.attrs.format === 'short' ? shortSha(ctx.sha, ctx.shortShaLength) : ctx.sha;
  return { value, autoLatest: false, reason: 'git commit' };
}

function phaseShaRule(ctx: TagContext): Outcome {
  if (!ctx.sha) return 'no git commit known';
  if (ctx.phase === undefined) return 'project has no phase tag';
  return { value: `phase${ctx.phase}-${ctx.sha}`, autoLatest: false, reason: `phase ${ctx.phase} at this commit` };
}

function applyRule(rule: TagRule, ctx: TagContext): Outcome {
  switch (rule.type) {
    case 'schedule':
      return scheduleRule(rule, ctx);
    case 'semver':
      return semverRule(rule, ctx);
    case 'pep440':
      return pep440Rule(rule, ctx);
    case 'match':
      return matchRule(rule, ctx);
    case 'ref':
      return refRule(rule, ctx);
    case 'edge':
      return edgeRule(rule, ctx);
    case 'raw':
      return { value: renderGlobal(rule.attrs.value, ctx), autoLatest: false, reason: 'raw value' };
    case 'sha':
      return shaRule(rule, ctx);
    case 'phase-sha':
      return phaseShaRule(ctx);
    case 'latest':
      return 'decides latest only';
  }
}

/** The action's setValue: the rule's prefix/suffix (rendered) when it has one, else the flavor's. */
function withAffixes(value: string, rule: TagRule, flavor: TagFlavor, ctx: TagContext): string {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(rule.attrs, k);
  if (has('prefix')) value = `${renderGlobal(rule.attrs.prefix, ctx)}${value}`;
  else if (flavor.prefix.length > 0) value = `${renderGlobal(flavor.prefix, ctx)}${value}`;
  if (has('suffix')) value = `${value}${renderGlobal(rule.attrs.suffix, ctx)}`;
  else if (flavor.suffix.length > 0) value = `${value}${renderGlobal(flavor.suffix, ctx)}`;
  return value;
}

function isEnabled(rule: TagRule, ctx: TagContext): boolean {
  const enabled = renderGlobal(rule.attrs.enable, ctx);
  if (!['true', 'false'].includes(enabled)) throw new Error(`Invalid value for enable attribute: ${enabled}`);
  return /true/i.test(enabled);
}

/** Whether version is a release above every other the repository has (prereleases aside). */
function isHighest(version: string, existing: readonly string[]): boolean {
  const s = semver();
  if (s.valid(version)) {
    if (s.prerelease(version) !== null) return false;
    return existing.every((v) => !s.valid(v) || s.prerelease(v) !== null || s.compare(version, v, true) >= 0);
  }
  const p = pep440();
  if (!p.valid(version) || p.explain(version)!.is_prerelease) return false;
  return existing.every((v) => !p.valid(v) || p.explain(v)!.is_prerelease || p.compare(version, v) >= 0);
}

/** Lucid's `latest` rule: true/false with its reason. */
function latestDecision(rule: TagRule, ctx: TagContext): { latest: boolean; reason: string } {
  const when = rule.attrs.when;
  if (when === 'never' || when === 'always') return { latest: when === 'always', reason: `latest: ${when}` };
  if (when === 'branch') {
    const on = ctx.ref === `refs/heads/${ctx.latestOnBranch}`;
    const where = REF.heads.test(ctx.ref) ? `branch ${ctx.ref.replace(REF.heads, '')}` : ctx.ref || 'no branch known';
    return { latest: on, reason: on ? `on ${ctx.latestOnBranch}` : `${where} is not ${ctx.latestOnBranch}` };
  }
  const version = versionInput(undefined, ctx)?.replace(/^v(?=\d)/, '');
  if (version === undefined) return { latest: false, reason: 'latest=auto: not a release' };
  const highest = isHighest(version, ctx.existingVersions ?? []);
  return { latest: highest, reason: `latest=auto: ${version} is ${highest ? '' : 'not '}the highest version` };
}

interface Accumulator {
  plan: TagPlan;
  latest: boolean | undefined;
  latestReason: string;
}

/** The action's setVersion: the first value is the main tag, later distinct ones partial; the first decides latest. */
function record(acc: Accumulator, rule: TagRule, made: Made, value: string, flavor: TagFlavor): void {
  const { plan } = acc;
  const tag = sanitizeTag(value);
  const ruleText = describeTagRule(rule);
  if (plan.version.main === undefined) plan.version.main = tag;
  else if (tag !== plan.version.main) plan.version.partial.push(tag);
  if (!plan.tags.some((t) => t.tag === tag)) {
    plan.tags.push({ tag, rule: ruleText, reason: made.reason, immutable: made.immutable ?? false });
  }
  if (acc.latest === undefined) {
    acc.latest = flavor.latest === 'auto' ? made.autoLatest : flavor.latest === 'true';
    acc.latestReason = `flavor latest=${flavor.latest}, decided by ${ruleText}`;
  }
}

function addLatest(acc: Accumulator, rules: readonly TagRule[], flavor: TagFlavor, ctx: TagContext): void {
  const lucid = rules.find((r) => r.type === 'latest' && isEnabled(r, ctx));
  let latest = acc.latest ?? false;
  let reason = acc.latestReason;
  if (lucid) ({ latest, reason } = latestDecision(lucid, ctx));
  const rule = lucid ? describeTagRule(lucid) : 'flavor';
  if (latest && REF.pull.test(ctx.ref)) {
    acc.plan.skipped.push({ rule, reason: 'a pull request never makes latest' });
    latest = false;
  }
  acc.plan.version.latest = latest;
  if (!latest) {
    if (lucid) acc.plan.skipped.push({ rule, reason });
    return;
  }
  const tag = sanitizeTag(
    `${flavor.prefixLatest ? flavor.prefix : ''}latest${flavor.suffixLatest ? flavor.suffix : ''}`,
  );
  if (!acc.plan.tags.some((t) => t.tag === tag)) acc.plan.tags.push({ tag, rule, reason, immutable: false });
}

/** The tags the rules (in priority order, see parseTagRules) make in this context. Throws on an invalid tag. */
export function computeTags(rules: readonly TagRule[], flavor: TagFlavor, ctx: TagContext): TagPlan {
  const acc: Accumulator = {
    plan: { tags: [], skipped: [], version: { main: undefined, partial: [], latest: false } },
    latest: undefined,
    latestReason: '',
  };
  for (const rule of rules) {
    if (rule.type === 'latest') continue;
    if (!isEnabled(rule, ctx)) {
      acc.plan.skipped.push({ rule: describeTagRule(rule), reason: `enable=${rule.attrs.enable} is false` });
      continue;
    }
    const made = applyRule(rule, ctx);
    if (typeof made === 'string') {
      acc.plan.skipped.push({ rule: describeTagRule(rule), reason: made });
      continue;
    }
    const value = withAffixes(made.value, rule, flavor, ctx);
    if (value.length === 0) acc.plan.skipped.push({ rule: describeTagRule(rule), reason: 'empty value' });
    else record(acc, rule, made, value, flavor);
  }
  acc.plan.version.partial = [...new Set(acc.plan.version.partial)];
  if (acc.plan.version.main !== undefined) addLatest(acc, rules, flavor, ctx);
  for (const t of acc.plan.tags) {
    try {
      assertTag(t.tag);
    } catch (e) {
      throw new Error(`tag rule ${t.rule}: ${(e as Error).message}`, { cause: e });
    }
  }
  return acc.plan;
}

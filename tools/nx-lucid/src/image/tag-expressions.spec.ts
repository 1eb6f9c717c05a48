/**
 * renderGlobal and the schedule pattern against docker/metadata-action v6.2.0's own code: src/meta.ts setGlobalExp
 * and procSchedule's helpers, transcribed below with the libraries the action calls (handlebars, moment-timezone:
 * root devDependencies kept for these oracles; the plugin does not depend on them). Same templates, same contexts,
 * same strings — or an error on both sides (ours names the problem).
 */
import * as handlebars from 'handlebars';
import moment from 'moment-timezone';
import type { TagContext } from './tag-context';
import { dateHelper, renderGlobal, renderTemplate, shortSha } from './tag-expressions';

interface HelperOptions {
  hash: Record<string, string>;
}

/** The action's date and commit_date helper (meta.ts), verbatim but for types. */
function actionDate(when: Date) {
  return function (format: string, options: HelperOptions) {
    const m = moment(when);
    let tz = 'UTC';
    Object.keys(options.hash).forEach((key) => {
      switch (key) {
        case 'tz':
          tz = options.hash[key];
          break;
        default:
          throw new Error(`Unknown ${key} attribute`);
      }
    });
    return m.tz(tz).format(format);
  };
}

/** The action's setGlobalExp (meta.ts), verbatim but for types and our context's field names. */
function actionSetGlobalExp(val: string, context: TagContext): string {
  return handlebars.compile(val)({
    branch: () => (/^refs\/heads\//.test(context.ref) ? context.ref.replace(/^refs\/heads\//g, '') : ''),
    tag: () => (/^refs\/tags\//.test(context.ref) ? context.ref.replace(/^refs\/tags\//g, '') : ''),
    sha: () => shortSha(context.sha, context.shortShaLength),
    base_ref: function () {
      if (/^refs\/tags\//.test(context.ref) && context.payload?.base_ref != undefined) {
        return context.payload.base_ref.replace(/^refs\/heads\//g, '');
      }
      if (/^refs\/pull\//.test(context.ref) && context.payload?.pull_request?.base?.ref != undefined) {
        return context.payload.pull_request.base.ref;
      }
      return '';
    },
    commit_date: actionDate(context.commitDate),
    is_default_branch: function () {
      const branch = context.ref.replace(/^refs\/heads\//g, '');
      if (branch == undefined || branch.length == 0) return 'false';
      if (context.payload?.repository?.default_branch == branch) return 'true';
      if (/create|discussion|issues|schedule/.test(context.eventName)) return 'true';
      return 'false';
    },
    is_not_default_branch: function (this: { is_default_branch: () => string }) {
      return this.is_default_branch() === 'false' ? 'true' : 'false';
    },
    date: actionDate(context.now),
  });
}

const base: TagContext = {
  eventName: 'push',
  ref: 'refs/heads/main',
  sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
  payload: { repository: { default_branch: 'main' } },
  defaultBranch: 'main',
  latestOnBranch: 'main',
  now: new Date('2026-03-08T06:59:59.123Z'),
  commitDate: new Date('2025-11-02T05:30:00Z'),
  shortShaLength: 7,
};
const CONTEXTS: Record<string, TagContext> = {
  'push to main': base,
  'push to a branch with characters HTML escapes': { ...base, ref: `refs/heads/feat/a=b&c'd"<e>\`f` },
  'tag push with base_ref': { ...base, ref: 'refs/tags/v1.2.3', payload: { base_ref: 'refs/heads/main' } },
  'pull request': {
    ...base,
    eventName: 'pull_request',
    ref: 'refs/pull/15/merge',
    payload: { pull_request: { base: { ref: 'main' } }, repository: { default_branch: 'main' } },
  },
  schedule: { ...base, eventName: 'schedule', ref: 'refs/heads/dev' },
};

const TEMPLATES = [
  '{{branch}}',
  '{{{branch}}}',
  '{{tag}}-{{sha}}-foo',
  'baseref-{{base_ref}}',
  '{{is_default_branch}}',
  '{{is_not_default_branch}}',
  "mytag-{{date 'YYYYMMDD'}}",
  "{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
  "{{date 'YYYYMMDD-HHmmss' tz='America/New_York'}}",
  "{{commit_date 'YYYYMMDD-HHmmss' tz='America/New_York'}}",
  "{{commit_date 'YYYY-MM-DDTHH:mm:ss.SSSZ'}}",
  '{{date "YYYY=MM [a&b]"}}',
  '{{{date "YYYY=MM [a&b]"}}}',
  "{{date ''}}",
  "{{date '' tz='Asia/Tokyo'}}",
  'src-{{commit_date YYYY-MM-DD}}',
  '{{commit_date YYYY-MM-DD-HHmmSS}}',
  '{{commit_date unknown tz="Asia/Tokyo"}}',
  "{{date 'Do MMMM YYYY, h:mm:ss a' tz='Europe/London'}}",
  "{{date 'LLLL' tz='Asia/Kolkata'}}",
  '{{unknown}}x',
  '\\{{branch}}',
  '{{~branch~}} - {{~ sha}}',
  // Errors on both sides:
  '{{date}}',
  "{{date 'Y' foo='x'}}",
  "{{date 'Y' tz='UTC' foo='x'}}",
  "{{date 'Y' 'x'}}",
  "{{date tz='UTC'}}",
  "{{date 'Y' tz=''}}",
  '{{unknown "x"}}',
  '{{branch',
];

type Outcome = { value: string } | { error: true };
const attempt = (f: () => string): Outcome => {
  try {
    return { value: f() };
  } catch {
    return { error: true };
  }
};

describe('renderGlobal (the action’s setGlobalExp as the oracle)', () => {
  const cases = Object.keys(CONTEXTS).flatMap((c) => TEMPLATES.map((t) => [c, t] as const));

  it.each(cases)('%s: %j', (name, template) => {
    const ctx = CONTEXTS[name];
    expect(attempt(() => renderGlobal(template, ctx))).toEqual(attempt(() => actionSetGlobalExp(template, ctx)));
  });

  it('has templates that render and templates that fail on the action’s side', () => {
    const outcomes = TEMPLATES.map((t) => attempt(() => actionSetGlobalExp(t, base)));
    expect(outcomes.filter((o) => 'error' in o).length).toBe(8);
  });

  it('names what is wrong where the action would throw a TypeError', () => {
    expect(() => renderGlobal('{{date}}', base)).toThrow(/\{\{date\}\} takes one quoted format/);
    expect(() => renderGlobal("{{commit_date 'Y' tz=''}}", base)).toThrow(
      /\{\{commit_date\}\}: tz= names no time zone/,
    );
    expect(() => renderGlobal("{{date 'Y' foo='x'}}", base)).toThrow(/Unknown foo attribute/);
    expect(() => renderGlobal('{{date branch}}', base)).toThrow(/the format is not text: quote it/);
  });

  it('refuses an unknown zone (moment-timezone would log and format in the machine’s zone)', () => {
    expect(() => renderGlobal("{{date 'YYYY' tz='Mars/Olympus'}}", base)).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});

describe('the schedule pattern (procSchedule: date and commit_date only)', () => {
  const patterns = [
    "{{date 'YYYYMMDD'}}",
    "src-{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
    'nightly',
    '{{branch}}',
  ];
  it.each(patterns.map((p) => [p]))('%j', (pattern) => {
    const ours = renderTemplate(pattern, { date: dateHelper(base.now), commit_date: dateHelper(base.commitDate) });
    const theirs = handlebars.compile(pattern)({
      date: actionDate(base.now),
      commit_date: actionDate(base.commitDate),
    });
    expect(ours).toBe(theirs);
  });
});

/**
 * The handlebars expressions of docker/metadata-action v6.2.0 (src/meta.ts setGlobalExp and the schedule
 * pattern): {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}}, {{is_not_default_branch}},
 * {{date 'format' tz='…'}} and {{commit_date …}}, rendered with the action's own libraries (handlebars,
 * moment-timezone), which load only when a rule is evaluated.
 */
import type * as Handlebars from 'handlebars';
import type { TagContext } from './tag-context';

export const handlebars = () => require('handlebars') as typeof Handlebars;

interface HelperOptions {
  hash: Record<string, string>;
}

/** moment(date).tz(tz).format(format), tz from the helper's hash (only tz=…), UTC by default. */
export function dateHelper(date: Date) {
  return (format: string, options: HelperOptions): string => {
    let tz = 'UTC';
    for (const key of Object.keys(options.hash)) {
      if (key !== 'tz') throw new Error(`Unknown ${key} attribute`);
      tz = options.hash[key];
    }
    const moment = require('moment-timezone') as typeof import('moment-timezone');
    return moment(date).tz(tz).format(format);
  };
}

export function shortSha(sha: string, length: number): string {
  return length >= sha.length ? sha : sha.substring(0, length);
}

const after = (ref: string, prefix: RegExp) => (prefix.test(ref) ? ref.replace(prefix, '') : '');

/** The action's is_default_branch: the payload's default branch, or an event that always runs on it. */
export function isDefaultBranch(ctx: TagContext): boolean {
  const branch = ctx.ref.replace(/^refs\/heads\//g, '');
  if (!branch) return false;
  if ((ctx.payload.repository?.default_branch ?? ctx.defaultBranch) === branch) return true;
  return /create|discussion|issues|schedule/.test(ctx.eventName);
}

function baseRef(ctx: TagContext): string {
  if (/^refs\/tags\//.test(ctx.ref) && ctx.payload.base_ref != undefined) {
    return ctx.payload.base_ref.replace(/^refs\/heads\//g, '');
  }
  if (/^refs\/pull\//.test(ctx.ref) && ctx.payload.pull_request?.base?.ref != undefined) {
    return ctx.payload.pull_request.base.ref;
  }
  return '';
}

/** setGlobalExp: an attribute value (enable, value, prefix, suffix) rendered against the context. */
export function renderGlobal(template: string, ctx: TagContext): string {
  const vars = {
    branch: () => after(ctx.ref, /^refs\/heads\//),
    tag: () => after(ctx.ref, /^refs\/tags\//),
    sha: () => shortSha(ctx.sha, ctx.shortShaLength),
    base_ref: () => baseRef(ctx),
    commit_date: dateHelper(ctx.commitDate),
    is_default_branch: () => String(isDefaultBranch(ctx)),
    is_not_default_branch: () => String(!isDefaultBranch(ctx)),
    date: dateHelper(ctx.now),
  };
  return handlebars().compile(template)(vars);
}

/** Whether a pattern is exactly {{raw}} (the action's Meta.isRawStatement). */
export function isRawStatement(pattern: string): boolean {
  try {
    const hp = handlebars().parseWithoutProcessing(pattern);
    const [only] = hp.body;
    if (hp.body.length === 1 && only.type === 'MustacheStatement') {
      const parts = (only as hbs.AST.MustacheStatement & { path: { parts: string[] } }).path.parts;
      return parts.length === 1 && parts[0] === 'raw';
    }
  } catch {
    return false;
  }
  return false;
}

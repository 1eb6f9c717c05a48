/**
 * The handlebars expressions of docker/metadata-action v6.2.0 (src/meta.ts setGlobalExp and the schedule
 * pattern): {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}}, {{is_not_default_branch}},
 * {{date 'format' tz='…'}} and {{commit_date …}}, rendered as the action's handlebars and moment-timezone do by
 * tag-template.ts and moment-format.ts (their oracle specs run the libraries themselves).
 */
import { formatMoment } from './moment-format';
import type { TagContext } from './tag-context';
import { renderTemplate, TemplateHelper } from './tag-template';

export { isRawStatement, renderTemplate } from './tag-template';

/** {{date 'format' tz='zone'}}: moment(date).tz(tz).format(format), tz (the only key) UTC by default. */
export function dateHelper(date: Date, name = 'date'): TemplateHelper {
  return (params, hash) => {
    if (params.length !== 1) {
      throw new Error(`{{${name}}} takes one quoted format, as in {{${name} 'YYYYMMDD' tz='Asia/Tokyo'}}`);
    }
    let tz: unknown = 'UTC';
    for (const key of Object.keys(hash)) {
      if (key !== 'tz') throw new Error(`Unknown ${key} attribute`);
      tz = hash[key];
    }
    if (typeof tz !== 'string' || !tz) throw new Error(`{{${name}}}: tz= names no time zone: use tz='Asia/Tokyo'`);
    // An unquoted format is a name of the context: moment formats undefined (an unknown name) in its default.
    const [format] = params;
    if (format !== undefined && typeof format !== 'string') {
      throw new Error(`{{${name}}}: the format is not text: quote it, as in {{${name} 'YYYYMMDD'}}`);
    }
    return formatMoment(date, tz, format ?? '');
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
    commit_date: dateHelper(ctx.commitDate, 'commit_date'),
    is_default_branch: () => String(isDefaultBranch(ctx)),
    is_not_default_branch: () => String(!isDefaultBranch(ctx)),
    date: dateHelper(ctx.now),
  };
  return renderTemplate(template, vars);
}

/**
 * tag-template against the library it replaces: handlebars 4.7 (a root devDependency kept for this oracle only; the
 * plugin does not depend on it), called as docker/metadata-action calls it: `handlebars.compile(t)(context)`.
 * Every template here either renders exactly as Handlebars renders it, throws where Handlebars throws, or is in
 * REFUSED (valid Handlebars the action's expressions never need: ours says so instead of differing).
 */
import * as handlebars from 'handlebars';
import * as semver from 'semver';
import { isRawStatement, renderTemplate, TemplateHelper, UnsupportedTemplateError } from './tag-template';

/** Our context (helpers take (params, hash)) as Handlebars' (helpers take (...params, options)). */
function asHandlebarsContext(context: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) {
    out[k] =
      typeof v === 'function'
        ? (...args: unknown[]) => {
            const options = args.pop() as { hash: Record<string, unknown> };
            return (v as TemplateHelper)(args, options.hash);
          }
        : v;
  }
  return out;
}

type Outcome = { value: string } | { error: string };
const attempt = (f: () => string): Outcome => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

/** Echoes what a helper received, so arguments, their order and the hash are compared too. */
const echo: TemplateHelper = (params, hash) => `${JSON.stringify(params)}|${JSON.stringify(hash)}`;
const CONTEXT: Record<string, unknown> = {
  branch: () => `feat/a=b&c'd"<e>\`f`,
  empty: () => '',
  zero: 0,
  no: false,
  yes: true,
  list: ['beta', 1],
  text: 'x<y',
  nothing: null,
  echo,
  'YYYY-MM-DD': 'a name with dashes',
};

const TEMPLATES = [
  '',
  'plain-text',
  '{{branch}}',
  '{{{branch}}}',
  '{{&branch}}',
  '{{~{branch}~}}',
  '{{ branch }}',
  '{{\nbranch\n}}',
  ' a {{~branch~}} b ',
  ' a {{~ branch}} b ',
  ' a {{branch ~}} b ',
  '{{branch}}-{{empty}}-{{zero}}-{{no}}-{{yes}}-{{list}}-{{text}}-{{nothing}}',
  '{{{zero}}}{{{no}}}{{{list}}}{{{nothing}}}{{{text}}}',
  '{{{no}}}',
  '{{{yes}}}{{{yes}}}',
  ' {{~{yes}}}{{{yes}}}',
  '{{{yes}}} {{{yes}}}',
  '{{{nothing}}}{{{zero}}}{{{zero}}}',
  '{{{list}}}{{{zero}}}',
  '{{yes}}{{{yes}}}',
  '{{unknown}}',
  '{{foo-bar}}',
  '{{a:b}}',
  '{{1}}',
  '{{true}}',
  '{{constructor}}',
  '{{__proto__}}',
  '{{hasOwnProperty}}',
  '{{YYYY-MM-DD}}',
  '{{this.text}}',
  '{{./text}}',
  '{{this/text}}',
  "{{echo 'YYYYMMDD'}}",
  '{{echo "YYYYMMDD"}}',
  "{{echo 'a\\'b' \"c\\\"d\" 'e\\\\f'}}",
  "{{echo 'Y' tz='Asia/Tokyo'}}",
  "{{echo 'Y' tz = 'UTC' foo=\"x\"}}",
  "{{echo 'Y' foo='x' tz='UTC'}}",
  "{{echo 'Y' tz='a' tz='b'}}",
  '{{echo YYYY-MM-DD}}',
  '{{echo YYYY-MM-DD-HHmmSS}}',
  '{{echo text unknown}}',
  '{{echo tz=text}}',
  "{{echo 'a' 'b' 'c'}}",
  '{{echo}}',
  '{{{echo "<&>"}}}',
  '\\{{branch}}',
  '\\\\{{branch}}',
  '\\{{a}} {{branch}}',
  'a\\{{b}}c\\{{branch}}',
  '\\{{a\\\\{{text}}',
  '\\{{',
  '\\{{{text}}}',
  '}}',
  '{x}',
  'a}}b{{text}}c',
  // Handlebars throws on these: so must we.
  '{{',
  '{{text',
  '{{text}',
  '{{text}}}',
  '{{{text}}',
  '{{}}',
  '{{ }}',
  "{{echo'x'}}",
  "{{echo x='1' 'a'}}",
  '{{echo =}}',
  '{{unknown "x"}}',
  '{{text "x"}}',
  '{{zero "x"}}',
  '{{else}}',
  '{{text|x}}',
];

/** Valid Handlebars outside the action's expressions: refused, naming what. */
const REFUSED = [
  '{{#if yes}}y{{/if}}',
  '{{^if yes}}y{{/if}}',
  '{{! a comment }}x',
  '{{!-- a comment --}}x',
  '{{> partial}}',
  '{{@root.text}}',
  '{{../text}}',
  '{{text.length}}',
  '{{[text]}}',
  '{{lookup . "text"}}',
  '{{log "x"}}',
  '{{if yes}}',
  '{{echo (text)}}',
  '{{echo 2020}}',
  '{{echo true}}',
  "{{echo 'Y' tz=5}}",
  '{{echo this.text}}',
  '{{echo a.b=1}}',
  '{{{{raw}}}}x{{{{/raw}}}}',
  '{{this}}',
  '{{.}}',
];

describe('tag-template (handlebars as the oracle)', () => {
  const hbContext = asHandlebarsContext(CONTEXT);

  it.each(TEMPLATES.map((t) => [t]))('%j renders as Handlebars renders it', (template) => {
    const theirs = attempt(() => handlebars.compile(template)(hbContext));
    const ours = attempt(() => renderTemplate(template, CONTEXT));
    if ('error' in theirs) expect(ours).toEqual({ error: expect.any(String) });
    else expect(ours).toEqual(theirs);
  });

  it('has templates Handlebars renders and ones it rejects', () => {
    const outcomes = TEMPLATES.map((t) => attempt(() => handlebars.compile(t)(hbContext)));
    expect(outcomes.filter((o) => 'error' in o).length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => 'value' in o).length).toBeGreaterThan(40);
  });

  it.each(REFUSED.map((t) => [t]))('%j is refused, naming the construct', (template) => {
    expect(() => renderTemplate(template, CONTEXT)).toThrow(UnsupportedTemplateError);
    expect(() => renderTemplate(template, CONTEXT)).toThrow(/is not supported \(docker\/metadata-action/);
  });

  it('escapes what a helper returns unless triple-stashed (the action sets no noEscape)', () => {
    expect(renderTemplate('{{branch}}', CONTEXT)).toBe('feat/a&#x3D;b&amp;c&#x27;d&quot;&lt;e&gt;&#x60;f');
    expect(renderTemplate('{{{branch}}}', CONTEXT)).toBe(`feat/a=b&c'd"<e>\`f`);
  });
});

/** The action's Meta.isRawStatement, as in src/meta.ts. */
function actionIsRawStatement(pattern: string): boolean {
  try {
    const hp = handlebars.parseWithoutProcessing(pattern);
    if (hp.body.length == 1 && hp.body[0].type == 'MustacheStatement') {
      const parts = (hp.body[0] as unknown as { path: { parts: string[] } }).path.parts;
      return parts.length == 1 && parts[0] == 'raw';
    }
  } catch {
    return false;
  }
  return false;
}

describe('isRawStatement (the action’s, on handlebars.parseWithoutProcessing, as the oracle)', () => {
  const patterns = [
    '{{raw}}',
    '{{ raw }}',
    '{{{raw}}}',
    '{{&raw}}',
    '{{~raw~}}',
    '{{~{raw}~}}',
    "{{raw 'x'}}",
    '{{this.raw}}',
    '{{./raw}}',
    '{{this/raw}}',
    '{{raw}} ',
    ' {{raw}}',
    '{{raw}}{{raw}}',
    'v{{raw}}',
    '\\{{raw}}',
    '\\\\{{raw}}',
    '{{version}}',
    '{{raws}}',
    '{{major}}.{{minor}}',
    'raw',
    '',
    '{{raw',
    '{{',
    '{{}}',
  ];
  it.each(patterns.map((p) => [p]))('%j', (pattern) => {
    expect(isRawStatement(pattern)).toBe(actionIsRawStatement(pattern));
  });

  it('throws for a pattern Handlebars parses but we refuse (never a silent raw or not-raw)', () => {
    expect(() => isRawStatement('{{@raw}}')).toThrow(UnsupportedTemplateError);
    expect(() => isRawStatement('{{#raw}}x{{/raw}}')).toThrow(UnsupportedTemplateError);
  });
});

describe('the semver context (the action compiles the pattern against semver.parse(v, {loose: true}))', () => {
  const versions = ['1.2.3', 'v1.2.3-beta.1+build.5', '0.1.0', '=1.2.3-rc.1', '2.0.0+20260101'];
  const patterns = [
    '{{version}}',
    '{{major}}',
    '{{major}}.{{minor}}',
    '{{major}}.{{minor}}.{{patch}}',
    '{{raw}}',
    '{{{raw}}}',
    '{{{major}}}{{{minor}}}{{{patch}}}',
    '{{{major}}}.{{{minor}}}',
    'v{{version}}-{{prerelease}}+{{build}}',
    '{{loose}}-{{includePrerelease}}-{{options}}',
    '{{format}}{{toString}}{{compare}}',
    '{{unknown}}',
  ];
  const cases = versions.flatMap((v) => patterns.map((p) => [v, p] as const));

  it.each(cases)('%s with %j', (version, pattern) => {
    const sver = semver.parse(version, { loose: true })!;
    // Handlebars warns on the console when it denies a prototype method ({{format}}): not under test.
    const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(renderTemplate(pattern, sver)).toBe(handlebars.compile(pattern)(sver));
    } finally {
      warn.mockRestore();
    }
  });
});

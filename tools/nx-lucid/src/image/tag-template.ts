/**
 * The part of Handlebars that docker/metadata-action's expressions use, evaluated as handlebars 4.7's
 * `compile(template)(context)` does (the action sets no option, so output is HTML-escaped): text, `\{{` escapes,
 * `{{name}}`, `{{{name}}}` and `{{&name}}` (not escaped), `{{name 'arg' other key='value'}}`, `~` whitespace
 * control and a `this.`/`./` prefix. A name is an own property of the context (an unknown one renders as ''); a
 * function is called with the arguments (a quoted string, or an unquoted name's value in the context) and the
 * key=value pairs. Anything else Handlebars has (blocks, partials, comments, built-in helpers, paths,
 * subexpressions, `@data`, number and boolean literals) is refused with an error naming it, so a template never
 * renders differently from the action without saying so. Pure.
 */

/** A context function: {{name 'arg' key='value'}} calls it with ['arg'] and { key: 'value' }. */
export type TemplateHelper = (params: readonly unknown[], hash: Readonly<Record<string, unknown>>) => unknown;

interface Text {
  kind: 'text';
  text: string;
}
interface Mustache {
  kind: 'mustache';
  name: string;
  params: Argument[];
  hash: Array<[string, Argument]>;
  escape: boolean;
  stripBefore: boolean;
  stripAfter: boolean;
}
type TemplateNode = Text | Mustache;
/** A quoted string, or a name looked up in the context (passed as is: a function is not called). */
type Argument = { literal: string } | { name: string };

/** Valid Handlebars this module does not evaluate: an error, never a silent difference. */
export class UnsupportedTemplateError extends Error {}
/** Not Handlebars at all (Handlebars fails to parse it too). */
export class TemplateSyntaxError extends Error {}

const SUPPORTED = "{{name}}, {{{name}}}, {{name 'argument' key='value'}}";
const BUILT_IN_HELPERS = new Set([
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'helperMissing',
  'blockHelperMissing',
]);
// Handlebars' lexer: an ID, its lookahead, and quoted strings (a backslash escapes the quote).
const ID = /[^\s!"#%-,./;->@[-^`{-~]+/y;
const ID_LOOKAHEAD = /[=~}\s/.)|]/;
const STRINGS: Record<string, RegExp> = { '"': /"((?:\\"|[^"])*)"/y, "'": /'((?:\\'|[^'])*)'/y };
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** handlebars' escapeExpression (its Utils), for what a name renders to. */
export function escapeExpression(value: unknown): string {
  if (value == null) return '';
  const text = typeof value === 'string' ? value : String(value);
  return text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
}

/** Reads one mustache (from after its `{{`) of a template; `at` moves past its close. */
class MustacheReader {
  constructor(
    private readonly template: string,
    public at: number,
  ) {}

  fail(what: string): never {
    throw new UnsupportedTemplateError(
      `tag expression "${this.template}": ${what} is not supported (docker/metadata-action's expressions are ${SUPPORTED})`,
    );
  }

  syntax(what: string): never {
    throw new TemplateSyntaxError(`tag expression "${this.template}": ${what} at column ${this.at + 1}`);
  }

  skipSpace(): void {
    while (this.at < this.template.length && /\s/.test(this.template[this.at])) this.at++;
  }

  /** `~}}`, `}}` (or with `}` first for a triple stash): whether it strips whitespace after, or undefined. */
  close(triple: boolean): boolean | undefined {
    const rest = this.template.slice(this.at);
    // Handlebars' lexer reads `}}}` (and `}~}}`) as the close of a triple stash wherever it is.
    if (!triple && /^}~?}}/.test(rest)) this.syntax('a triple-stash close }}} after {{');
    const m = (triple ? /^}~?}}/ : /^~?}}/).exec(rest);
    if (!m) return undefined;
    this.at += m[0].length;
    return m[0].includes('~');
  }

  id(): string | undefined {
    ID.lastIndex = this.at;
    const m = ID.exec(this.template);
    if (!m) return undefined;
    const next = this.template[this.at + m[0].length];
    if (next !== undefined && !ID_LOOKAHEAD.test(next)) this.syntax(`"${next}" after ${m[0]}`);
    this.at += m[0].length;
    return m[0];
  }

  quoted(): string | undefined {
    const quote = this.template[this.at];
    const re = STRINGS[quote];
    if (!re) return undefined;
    re.lastIndex = this.at;
    const m = re.exec(this.template);
    if (!m) this.syntax('an unclosed string');
    this.at += m[0].length;
    return m[1].replace(quote === '"' ? /\\"/g : /\\'/g, quote);
  }

  /** The mustache's name: an ID, with an optional this. / this/ / ./ prefix (Handlebars drops it). */
  name(): string {
    const t = this.template;
    if (t.startsWith('./', this.at)) this.at += 2;
    if (/^[.@[(]/.test(t.slice(this.at))) this.fail(`"${t.slice(this.at, this.at + 2)}…" (a path or data)`);
    let name = this.id();
    if (name === undefined) this.syntax('a mustache without a name');
    if (name === 'this' && /^[./]/.test(t.slice(this.at))) {
      this.at++;
      name = this.id() ?? this.fail('a path');
    }
    if (name === 'this' || /^[./]/.test(t.slice(this.at))) this.fail(`the path {{${name}${t[this.at] ?? ''}…}}`);
    if (BUILT_IN_HELPERS.has(name) || name === 'else') this.fail(`Handlebars' built-in helper {{${name}}}`);
    return name;
  }

  /** An unquoted argument: a name of the context (Handlebars' literals and paths are refused). */
  nameArgument(what: string): Argument {
    const name = this.id() ?? this.fail(`"${this.template[this.at]}" in a mustache`);
    if (/^(-?[0-9]+(\.[0-9]+)?|true|false|null|undefined)$/.test(name)) this.fail(`the literal ${what} ${name}`);
    if (/^[./]/.test(this.template[this.at] ?? '')) this.fail(`the path ${what} ${name}${this.template[this.at]}…`);
    return { name };
  }

  argument(what: string): Argument {
    const literal = this.quoted();
    return literal !== undefined ? { literal } : this.nameArgument(what);
  }

  /** Arguments up to the close: strings or names, then key=value pairs. */
  args(node: Mustache, triple: boolean): void {
    for (;;) {
      this.skipSpace();
      const stripAfter = this.close(triple);
      if (stripAfter !== undefined) {
        node.stripAfter = stripAfter;
        return;
      }
      if (this.at >= this.template.length) this.syntax('an unclosed mustache');
      if ('}~'.includes(this.template[this.at])) this.syntax('a mismatched close');
      const key = /^[^\s'"=]+\s*=/.exec(this.template.slice(this.at)) ? this.id() : undefined;
      if (key === undefined) {
        if (node.hash.length > 0) this.syntax('an argument after key=value');
        node.params.push(this.argument('argument'));
        continue;
      }
      this.skipSpace();
      if (this.template[this.at] !== '=') this.fail(`"${key}${this.template[this.at]}…" (a path)`);
      this.at++;
      this.skipSpace();
      node.hash.push([key, this.argument(`value of ${key}=`)]);
    }
  }

  /** One mustache from after `{{`. */
  read(): Mustache {
    const node: Mustache = {
      kind: 'mustache',
      name: '',
      params: [],
      hash: [],
      escape: true,
      stripBefore: false,
      stripAfter: false,
    };
    if (this.template[this.at] === '~') {
      node.stripBefore = true;
      this.at++;
    }
    const sigil = this.template[this.at];
    if (sigil === '{' || sigil === '&') {
      node.escape = false;
      this.at++;
    } else if (sigil !== undefined && '!#/^>*'.includes(sigil)) {
      this.fail(`{{${sigil}…}} (comments, blocks and partials)`);
    }
    this.skipSpace();
    node.name = this.name();
    this.args(node, sigil === '{');
    return node;
  }
}

/** Where the text at `from` ends: before the next `{{`, and whether a backslash escapes that `{{`. */
function textUntilMustache(template: string, from: number): { text: string; next: number; escaped: boolean } {
  const open = template.indexOf('{{', from);
  if (open < 0) return { text: template.slice(from), next: template.length, escaped: false };
  let text = template.slice(from, open);
  if (text.endsWith('\\\\')) text = text.slice(0, -1);
  else if (text.endsWith('\\')) return { text: text.slice(0, -1), next: open, escaped: true };
  return { text, next: open, escaped: false };
}

/** An escaped `\{{…`: literal text of at least two characters up to the next `{{`, `\{{` or `\\{{`. */
function escapedText(template: string, from: number): number {
  for (let end = from + 2; end < template.length; end++) {
    if (template.startsWith('{{', end) || template.startsWith('\\{{', end) || template.startsWith('\\\\{{', end)) {
      return end;
    }
  }
  return template.length;
}

/** The template's statements, as handlebars.parseWithoutProcessing would list them (no whitespace control yet). */
export function parseTemplate(template: string): TemplateNode[] {
  const nodes: TemplateNode[] = [];
  let at = 0;
  while (at < template.length) {
    const { text, next, escaped } = textUntilMustache(template, at);
    if (text) nodes.push({ kind: 'text', text });
    at = next;
    if (at >= template.length) break;
    if (escaped) {
      const end = escapedText(template, at);
      nodes.push({ kind: 'text', text: template.slice(at, end) });
      at = end;
      continue;
    }
    if (template.startsWith('{{{{', at)) new MustacheReader(template, at).fail('a raw block {{{{…}}}}');
    const reader = new MustacheReader(template, at + 2);
    nodes.push(reader.read());
    at = reader.at;
  }
  return nodes;
}

function lookup(context: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(context, name) ? (context as Record<string, unknown>)[name] : undefined;
}

/** What a mustache appends: escaped, a string; not escaped, the value itself (null and undefined as ''). */
function evaluate(node: Mustache, context: object, template: string): unknown {
  const value = lookup(context, node.name);
  let out: unknown = value;
  if (typeof value === 'function') {
    const argument = (a: Argument) => ('literal' in a ? a.literal : lookup(context, a.name));
    const hash: Record<string, unknown> = {};
    // Handlebars hands the pairs to the helper last first.
    for (const [k, v] of [...node.hash].reverse()) hash[k] = argument(v);
    out = (value as TemplateHelper)(node.params.map(argument), hash);
  } else if (node.params.length > 0 || node.hash.length > 0) {
    const why = value == null || value === false || value === 0 || value === '' ? 'Missing helper' : 'Not a helper';
    throw new Error(`tag expression "${template}": ${why}: "${node.name}"`);
  }
  if (node.escape) return escapeExpression(out);
  return out ?? '';
}

/**
 * handlebars.compile(template)(context): names are the context's own properties, functions are called. Handlebars
 * joins what each statement appends with JavaScript's `+` (then `'' + result`), so unescaped values add up as
 * JavaScript adds them ({{{major}}}{{{minor}}} of 1.2.3 is "3"): mirrored, empty text left out as Handlebars does.
 */
export function renderTemplate(template: string, context: object): string {
  const nodes = parseTemplate(template);
  const texts = nodes.map((n) => (n.kind === 'text' ? n.text : ''));
  nodes.forEach((n, i) => {
    if (n.kind !== 'mustache') return;
    if (n.stripBefore && nodes[i - 1]?.kind === 'text') texts[i - 1] = texts[i - 1].replace(/\s+$/, '');
    if (n.stripAfter && nodes[i + 1]?.kind === 'text') texts[i + 1] = texts[i + 1].replace(/^\s+/, '');
  });
  const appended = nodes
    .map((n, i) => (n.kind === 'text' ? texts[i] : evaluate(n, context, template)))
    .filter((v, i) => nodes[i].kind === 'mustache' || v !== '');
  if (appended.length === 0) return '';
  // JavaScript's + on whatever the values are (numbers add, anything with a string concatenates): the casts only
  // let TypeScript accept the operator; the runtime semantics are the point.
  const joined = appended.slice(1).reduce<unknown>((acc, v) => (acc as number) + (v as number), appended[0]);
  return String(joined);
}

/**
 * The action's Meta.isRawStatement: the pattern is one mustache naming raw. A pattern Handlebars cannot parse is
 * not; one it parses but this module refuses throws (the action would take it for raw or not, silently).
 */
export function isRawStatement(pattern: string): boolean {
  try {
    const nodes = parseTemplate(pattern);
    return nodes.length === 1 && nodes[0].kind === 'mustache' && nodes[0].name === 'raw';
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return false;
    throw e;
  }
}

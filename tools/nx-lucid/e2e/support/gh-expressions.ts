/**
 * GitHub Actions expressions (`${{ … }}`) for the workflow emulator: literals, context property access (with
 * `-` in names and the `*` filter), `! && || == !=`, parentheses, and the functions the generated workflows
 * call (fromJSON, toJSON, format, contains, startsWith, hashFiles, always, success, failure, cancelled). `&&` and
 * `||` return an operand as GitHub's do; `==` compares strings case-insensitively. Anything else is an error, so
 * an expression the emulator cannot read fails the test instead of being guessed.
 */
export type Contexts = Record<string, unknown>;
export interface ExpressionHooks {
  hashFiles(patterns: string[]): string;
  /** Whether every earlier step of the job succeeded. */
  succeeded: boolean;
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|(&&|\|\||==|!=|[()!,.[\]*])|([A-Za-z_][A-Za-z0-9_-]*))/y;

type Token = { kind: 'num' | 'str' | 'op' | 'id'; text: string; value?: unknown };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new Error(`expression "${source}": cannot read at ${at}: "${source.slice(at)}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', text: m[1], value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'str', text: m[2], value: m[2].replace(/''/g, "'") });
    else if (m[3] !== undefined) tokens.push({ kind: 'op', text: m[3] });
    else tokens.push({ kind: 'id', text: m[4] });
  }
  return tokens;
}

const lower = (v: unknown) => (v === null || v === undefined ? '' : String(v)).toLowerCase();
const equal = (a: unknown, b: unknown) =>
  typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined
    ? lower(a) === lower(b)
    : a === b;

function property(target: unknown, name: string): unknown {
  if (Array.isArray(target) && name !== 'length') return target.map((t) => property(t, name));
  if (target && typeof target === 'object') {
    const entry = Object.entries(target).find(([k]) => k.toLowerCase() === name.toLowerCase());
    return entry?.[1];
  }
  return undefined;
}

function callFunction(name: string, args: unknown[], hooks: ExpressionHooks): unknown {
  switch (name.toLowerCase()) {
    case 'fromjson':
      return JSON.parse(String(args[0]));
    case 'tojson':
      return JSON.stringify(args[0]);
    case 'format':
      return String(args[0]).replace(/\{(\d+)\}/g, (_m, i) => String(args[Number(i) + 1] ?? ''));
    case 'contains':
      return Array.isArray(args[0]) ? args[0].some((v) => equal(v, args[1])) : lower(args[0]).includes(lower(args[1]));
    case 'startswith':
      return lower(args[0]).startsWith(lower(args[1]));
    case 'hashfiles':
      return hooks.hashFiles(args.map(String));
    case 'always':
      return true;
    case 'cancelled':
      return false;
    case 'success':
      return hooks.succeeded;
    case 'failure':
      return !hooks.succeeded;
    default:
      throw new Error(`expression function ${name}() is not emulated`);
  }
}

/** Evaluates one expression (without the `${{ }}`). */
export function evaluate(source: string, contexts: Contexts, hooks: ExpressionHooks): unknown {
  const tokens = tokenize(source);
  let i = 0;
  const peek = (text?: string) => (i < tokens.length && (!text || tokens[i].text === text) ? tokens[i] : undefined);
  const expect = (text: string) => {
    if (!peek(text)) throw new Error(`expression "${source}": expected "${text}" at token ${i}`);
    i++;
  };
  const binary = (next: () => unknown, ops: string[], apply: (op: string, a: unknown, b: () => unknown) => unknown) => {
    let left = next();
    while (peek() && tokens[i].kind === 'op' && ops.includes(tokens[i].text)) {
      const op = tokens[i++].text;
      left = apply(op, left, next);
    }
    return left;
  };
  // Both sides are always parsed (and evaluated: nothing here has side effects); the value is GitHub's.
  const or = (): unknown =>
    binary(and, ['||'], (_o, a, b) => {
      const right = b();
      return a ? a : right;
    });
  const and = (): unknown =>
    binary(eq, ['&&'], (_o, a, b) => {
      const right = b();
      return a ? right : a;
    });
  const eq = (): unknown => binary(unary, ['==', '!='], (op, a, b) => (op === '==') === equal(a, b()));
  const unary = (): unknown => (peek('!') ? (i++, !unary()) : postfix());
  const postfix = (): unknown => {
    let value = primary();
    for (;;) {
      if (peek('.')) {
        i++;
        const name = tokens[i++];
        value =
          name.text === '*'
            ? value && typeof value === 'object'
              ? Object.values(value)
              : []
            : property(value, name.text);
      } else if (peek('[')) {
        i++;
        const key = or();
        expect(']');
        value = property(value, String(key));
      } else return value;
    }
  };
  const primary = (): unknown => {
    const t = tokens[i++];
    if (!t) throw new Error(`expression "${source}" ends early`);
    if (t.kind === 'num' || t.kind === 'str') return t.value;
    if (t.text === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.kind !== 'id') throw new Error(`expression "${source}": unexpected "${t.text}"`);
    if (['true', 'false', 'null'].includes(t.text)) return JSON.parse(t.text);
    if (!peek('(')) return contexts[t.text];
    i++;
    const args: unknown[] = [];
    while (!peek(')')) {
      args.push(or());
      if (peek(',')) i++;
    }
    expect(')');
    return callFunction(t.text, args, hooks);
  };
  const value = or();
  if (i !== tokens.length) throw new Error(`expression "${source}": unexpected "${tokens[i].text}"`);
  return value;
}

const asText = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Replaces every `${{ … }}` in a string. */
export function interpolate(text: string, contexts: Contexts, hooks: ExpressionHooks): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => asText(evaluate(expr, contexts, hooks)));
}

/** A value that is exactly one `${{ … }}` keeps its type (a matrix from fromJSON); anything else is interpolated. */
export function evaluateValue(value: unknown, contexts: Contexts, hooks: ExpressionHooks): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(value.trim());
  if (whole && !whole[1].includes('}}')) return evaluate(whole[1], contexts, hooks);
  return interpolate(value, contexts, hooks);
}

/** A job's or step's `if:`: success() is implied unless the condition calls a status function. */
export function condition(raw: unknown, contexts: Contexts, hooks: ExpressionHooks): boolean {
  if (raw === undefined) return hooks.succeeded;
  const text = String(raw)
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const explicit = /\b(always|success|failure|cancelled)\(/.test(text);
  return Boolean(evaluate(explicit ? text : `success() && (${text})`, contexts, hooks));
}

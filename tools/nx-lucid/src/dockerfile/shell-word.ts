/**
 * Quotes in one COPY/ADD word, as BuildKit's shell lexer reads them (frontend/dockerfile/shell/lex.go,
 * processStopOn / processSingleQuote / processDoubleQuote). BuildKit splits COPY/ADD on whitespace first
 * (parser/line_parsers.go parseStringsWhitespaceDelimited) and then runs every word through the lexer, so
 * `COPY a "b c" d` has the words `"b` and `c"`, each with an unmatched quote, and is rejected.
 */

export type ShellWord = { value: string } | { problem: string };

const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '$']);

/** The word with its quotes and escapes removed, or BuildKit's reason for rejecting it. Words without quotes are returned unchanged. */
export function unquoteWord(word: string, escapeChar: string): ShellWord {
  if (!word.includes('"') && !word.includes("'")) return { value: word };
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (ch === escapeChar) {
      // Outside quotes the escape character makes the next one literal (a trailing one is dropped).
      if (i + 1 < word.length) out += word[++i];
      continue;
    }
    if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return { problem: 'unexpected end of statement while looking for matching single-quote' };
      out += word.slice(i + 1, end);
      i = end;
      continue;
    }
    if (ch !== '"') {
      out += ch;
      continue;
    }
    let closed = false;
    for (i++; i < word.length; i++) {
      const c = word[i];
      if (c === '"') {
        closed = true;
        break;
      }
      if (
        c === escapeChar &&
        i + 1 < word.length &&
        (DOUBLE_QUOTE_ESCAPABLE.has(word[i + 1]) || word[i + 1] === escapeChar)
      )
        out += word[++i];
      else if (!(c === escapeChar && i + 1 === word.length)) out += c;
    }
    if (!closed) return { problem: 'unexpected end of statement while looking for matching double-quote' };
  }
  return { value: out };
}

/**
 * Heredocs read as BuildKit's parser reads them (frontend/dockerfile/parser/parser.go, dockerfile ≥ 1.16):
 * on RUN, COPY and ADD (also under ONBUILD), not in JSON form, a word `<<EOF`, `<<-EOF`, `<<"EOF"` or — since
 * 1.16 — `<< 'EOF'` (whitespace after `<<`) opens a body that runs to a line equal to the terminator.
 * dockerfile-ast reads fewer forms (not `<< 'EOF'`) and swallows the rest of the file when a body is never
 * closed, so the bodies are found here first and blanked out before it parses the text.
 */
import { DockerfileError } from './errors';

/** Stands in for `<<` on instruction lines, so dockerfile-ast never starts a heredoc of its own. */
export const HEREDOC_MARK = '\uE000\uE000';

export interface Heredoc {
  name: string;
  /** `<<-`: leading tabs are stripped from the body and the terminator. */
  chomp: boolean;
}

export interface HeredocScan {
  /** The text with heredoc bodies and terminators blanked (line numbers kept) and `<<` replaced by HEREDOC_MARK. */
  masked: string;
  /** Heredocs by the 1-based line their instruction starts on. */
  heredocs: Map<number, Heredoc[]>;
}

const CAN_HOLD_HEREDOC = new Set(['run', 'copy', 'add']);
const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/;

/** The `# escape=` parser directive (only in the leading comment block), else the backslash. */
export function escapeCharacter(lines: readonly string[]): string {
  for (const line of lines) {
    const m = line.match(/^\s*#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) return m[2];
  }
  return '\\';
}

/** Shell words with quotes kept, `<<` followed by blanks joined to the next word, as BuildKit's lexer does. */
export function rawWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      const stop = end < 0 ? line.length : end + 1;
      cur += line.slice(i, stop);
      i = stop - 1;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += c + line[++i];
      inWord = true;
    } else if (c === '<' && line[i + 1] === '<') {
      cur += '<<';
      i++;
      while (line[i + 1] === ' ' || line[i + 1] === '\t') cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The heredocs a logical instruction line opens, in order. */
export function heredocsOf(logical: string): Heredoc[] {
  let words = rawWords(logical);
  let keyword = (words[0] ?? '').toLowerCase();
  if (keyword === 'onbuild') {
    words = words.slice(1);
    keyword = (words[0] ?? '').toLowerCase();
  }
  if (!CAN_HOLD_HEREDOC.has(keyword) || !logical.includes('<<')) return [];
  const args = words.slice(1);
  const firstArg = args.findIndex((w) => !w.startsWith('--'));
  if (firstArg >= 0 && args[firstArg].startsWith('[')) {
    try {
      if (Array.isArray(JSON.parse(args.slice(firstArg).join(' ')))) return [];
    } catch {
      // not JSON form: heredocs apply
    }
  }
  const docs: Heredoc[] = [];
  for (const word of args) {
    const m = word.match(HEREDOC_WORD);
    if (!m || m[3] === '') continue;
    docs.push({ name: m[3].replace(/'([^']*)'|"([^"]*)"/g, '$1$2').replace(/\\(.)/g, '$1'), chomp: m[2] === '-' });
  }
  return docs;
}

/** Finds every heredoc; an unterminated one is an error at the line of its instruction, as in BuildKit. */
export function scanHeredocs(text: string, file: string): HeredocScan {
  // No `<` at all: no line, joined or not, can open a heredoc (most Dockerfiles; the scan below is per line).
  if (!text.includes('<')) return { masked: text, heredocs: new Map() };
  const lines = text.split('\n');
  const out = [...lines];
  const continued = new RegExp(`\\${escapeCharacter(lines)}[ \\t]*$`);
  const heredocs = new Map<number, Heredoc[]>();
  let i = 0;
  while (i < lines.length) {
    const first = lines[i].trim();
    if (first === '' || first.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    let logical = lines[i].replace(continued, '');
    let more = continued.test(lines[i]);
    i++;
    while (more && i < lines.length) {
      const line = lines[i++];
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      more = continued.test(line);
      logical += line.replace(continued, '');
    }
    if (!logical.includes('<<')) continue;
    const docs = heredocsOf(logical);
    for (let k = start; k < i; k++) out[k] = out[k].split('<<').join(HEREDOC_MARK);
    for (const doc of docs) {
      let terminated = false;
      while (i < lines.length) {
        const line = lines[i];
        out[i++] = '';
        if ((doc.chomp ? line.replace(/^\t+/, '') : line) === doc.name) {
          terminated = true;
          break;
        }
      }
      // BuildKit: "unterminated heredoc", located at the instruction that opened it.
      if (!terminated)
        throw new DockerfileError(
          file,
          start + 1,
          `unterminated heredoc <<${doc.name} (no line "${doc.name}" closes it)`,
        );
    }
    if (docs.length) heredocs.set(start + 1, docs);
  }
  return { masked: out.join('\n'), heredocs };
}

/** Puts `<<` back into text read from the masked file. */
export function unmask(text: string): string {
  return text.includes(HEREDOC_MARK) ? text.split(HEREDOC_MARK).join('<<') : text;
}

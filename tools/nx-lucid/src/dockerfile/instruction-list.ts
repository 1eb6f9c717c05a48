/**
 * A Dockerfile as the list of instructions the model reads. Most Dockerfiles are one instruction per line with no
 * escapes, quotes in ARG/ENV/LABEL or heredocs: those are split here directly, exactly as dockerfile-ast reads
 * them (the spec compares the two on every Dockerfile we have); anything else goes through dockerfile-ast, which
 * is loaded only then. dockerfile-ast's accessors (positions, ranges) were most of createNodes at 1000 services.
 */
import type { Instruction } from 'dockerfile-ast';
import { HEREDOC_MARK } from './heredoc';

export interface NameValue {
  name: string;
  /** null: no value given (`ARG NAME`, `--flag`). */
  value: string | null;
}

export interface DockerInstruction {
  /** Upper-cased keyword. */
  keyword: string;
  /** The keyword as written. */
  instruction: string;
  /** 1-based line of the keyword. */
  line: number;
  /** Arguments after the flags, as dockerfile-ast's getArguments() (heredoc markers still masked). */
  words: string[];
  /** FROM/RUN/COPY/ADD: leading `--name[=value]` flags. */
  flags: NameValue[];
  /** ARG/ENV/LABEL: the declared names and values. */
  properties: NameValue[];
  /** The instruction's text from its keyword (continuation lines included). */
  text: string;
}

export interface InstructionList {
  instructions: DockerInstruction[];
  escapeChar: string;
}

const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD']);
const PROPERTIES = new Set(['ARG', 'ENV', 'LABEL']);
/** Whitespace and control characters dockerfile-ast and String.trim() may not agree on. */
const ODD_CHARACTERS =
  /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const ESCAPE_DIRECTIVE = /^[ \t]*#[ \t]*escape[ \t]*=/im;

/** When dockerfile-ast's getFlags stops looking for `--flags` (ModifiableInstruction.stopSearchingForFlags). */
const FLAGS_END: Record<string, (word: string) => boolean> = {
  FROM: (w) => !w.includes('--'),
  RUN: (w) => !w.includes('--'),
  COPY: (w) => !w.includes('--'),
  ADD: (w) => !w.includes('--'),
  HEALTHCHECK: (w) => w.toUpperCase() === 'CMD' || w.toUpperCase() === 'NONE',
};

/** dockerfile-ast's getFlags and getArguments: the arguments lose as many leading words as there are flags. */
function splitFlags(args: string[], end: (word: string) => boolean): { flags: NameValue[]; words: string[] } {
  const flags: NameValue[] = [];
  for (const a of args) {
    if (end(a)) break;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    flags.push(eq === -1 ? { name: a.slice(2), value: null } : { name: a.slice(2, eq), value: a.slice(eq + 1) });
  }
  return { flags, words: args.slice(flags.length) };
}

/** dockerfile-ast's PropertyInstruction.getProperties, for words without quotes or escapes. */
function properties(args: string[], rest: string): NameValue[] {
  const one = (w: string): NameValue => {
    const eq = w.indexOf('=');
    return eq === -1 ? { name: w, value: null } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
  };
  if (args.length === 0) return [];
  if (args.length === 1) return [one(args[0])];
  // `ENV NAME value with spaces`: the legacy form, one property whose value is the rest as written.
  if (!args[0].includes('=')) return [{ name: args[0], value: args.length === 2 ? args[1] : rest }];
  return args.map(one);
}

/** A line continued by a trailing `\` after a blank (the only backslash the fast path accepts). */
const CONTINUED = /[ \t]\\[ \t]*$/;

/**
 * The instructions of a plain Dockerfile, or null when it needs the full parser: one instruction per line, or
 * continued by ` \` onto non-blank, non-comment lines; no other backslash, no quotes in ARG/ENV/LABEL, no heredoc.
 */
export function simpleInstructions(masked: string): DockerInstruction[] | null {
  if (masked.includes(HEREDOC_MARK) || ODD_CHARACTERS.test(masked) || ESCAPE_DIRECTIVE.test(masked)) return null;
  const out: DockerInstruction[] = [];
  const lines = masked.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].replace(/^[ \t]+/, '');
    if (first.replace(/[ \t]+$/, '') === '' || first.startsWith('#')) continue;
    const start = i;
    // dockerfile-ast's text runs from the keyword to the end of the last line, trailing blanks included.
    let text = first;
    let logical = first;
    while (CONTINUED.test(lines[i])) {
      const next = lines[++i];
      if (next === undefined || next.trim() === '' || next.trim().startsWith('#')) return null;
      text += `\n${next}`;
      logical = `${logical.replace(/\\[ \t]*$/, '')} ${next}`;
    }
    if (logical.includes('\\')) return null;
    const trimmed = logical.replace(/[ \t]+$/, '');
    const parts = trimmed.split(/[ \t]+/);
    const instruction = parts[0];
    const keyword = instruction.toUpperCase();
    const args = parts.slice(1);
    let flags: NameValue[] = [];
    let words = args;
    let props: NameValue[] = [];
    if (FLAGS_END[keyword]) ({ flags, words } = splitFlags(args, FLAGS_END[keyword]));
    if (!FLAGGED.has(keyword)) flags = [];
    if (PROPERTIES.has(keyword)) {
      if (/["']/.test(logical) || (keyword === 'ARG' && args.length > 1)) return null;
      // The legacy `ENV NAME value with spaces` keeps its blanks as written: one line only.
      if (args.length > 2 && !args[0].includes('=') && i > start) return null;
      const afterKeyword = trimmed.slice(instruction.length).replace(/^[ \t]+/, '');
      props = properties(args, afterKeyword.slice(args[0]?.length ?? 0).replace(/^[ \t]+/, ''));
    }
    out.push({ keyword, instruction, line: start + 1, words, flags, properties: props, text });
  }
  return out;
}

interface Named {
  getName(): string;
  getValue(): string | null;
}

/** The same list through dockerfile-ast (escapes, continuations, quotes, escape directive). */
export function astInstructions(masked: string): InstructionList {
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const df = DockerfileParser.parse(masked);
  const named = (p: Named) => ({ name: p.getName(), value: p.getValue() });
  const toList = (ins: Instruction): DockerInstruction => {
    const keyword = ins.getKeyword();
    return {
      keyword,
      instruction: ins.getInstruction(),
      line: ins.getRange().start.line + 1,
      words: ins.getArguments().map((a) => a.getValue()),
      flags: FLAGGED.has(keyword) ? (ins as unknown as { getFlags(): Named[] }).getFlags().map(named) : [],
      properties: PROPERTIES.has(keyword)
        ? (ins as unknown as { getProperties(): Named[] }).getProperties().map(named)
        : [],
      text: ins.getTextContent(),
    };
  };
  return { instructions: df.getInstructions().map(toList), escapeChar: df.getEscapeCharacter() };
}

export function instructionList(masked: string): InstructionList {
  const simple = simpleInstructions(masked);
  return simple ? { instructions: simple, escapeChar: '\\' } : astInstructions(masked);
}

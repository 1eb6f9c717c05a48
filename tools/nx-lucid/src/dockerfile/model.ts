/**
 * The one Dockerfile model: parsed once per content (cached by a hash of file, content and build args) and
 * read by the graph (stages, images), the inputs (context sources) and build planning (stages, platforms, RUNs).
 * It rejects, with `file:line: reason`, what BuildKit's dockerfile frontend (1.18) rejects among the cases we meet.
 */
import { DockerfileError } from './errors';
import { scanHeredocs, unmask } from './heredoc';
import { readFromInstruction, StageScope } from './from-instruction';
import { DockerInstruction, instructionList } from './instruction-list';
import { BuildStage, resolveStageReferences, StageReference } from './stages';
import { substitute, hasVariable } from './substitute';
import { copyPaths, KNOWN_INSTRUCTIONS, mountOptions, nameValueProblem, normaliseSource } from './instructions';
import { unquoteWord } from './shell-word';

export type { BuildStage } from './stages';

export interface CopySource {
  /** RUN: a `--mount=type=bind` without `from`, which reads the build context. */
  instruction: 'COPY' | 'ADD' | 'RUN';
  /** Path relative to the build context, posix, without leading "./". "." is the whole context. */
  path: string;
  line: number;
  /** A variable could not be resolved, so the source may be anything in the context. */
  unresolved: boolean;
  /** Index of the stage the instruction is in (only the stages the target needs are built). */
  stage: number;
}

export interface DockerfileModel {
  stages: BuildStage[];
  /** Sources read from the build context (not from another stage, URL or heredoc). */
  contextSources: CopySource[];
  /** Images pulled by FROM or COPY --from=<image> (not stages, not scratch). */
  externalImages: string[];
  /** ARG defaults declared before the first FROM (build args applied). */
  globalArgs: Record<string, string | undefined>;
  /** USER of the final stage, if any. */
  finalUser?: string;
}

const cache = new Map<string, DockerfileModel | DockerfileError>();

/** Parses (or returns the cached model of) a Dockerfile. Throws DockerfileError for input BuildKit rejects. */
export function parseDockerfile(
  content: string,
  file: string,
  buildArgs: Record<string, string> = {},
): DockerfileModel {
  const args = Object.entries(buildArgs).sort(([a], [b]) => (a < b ? -1 : 1));
  // The text itself is the key (a Map hashes it once): a sha256 of it per Dockerfile cost more than the parse.
  const key = JSON.stringify([file, args, content]);
  let hit = cache.get(key);
  if (!hit) {
    try {
      hit = parseUncached(content, file, buildArgs);
    } catch (e) {
      if (!(e instanceof DockerfileError)) throw e;
      hit = e;
    }
    if (cache.size > 5000) cache.clear();
    cache.set(key, hit);
  }
  if (hit instanceof DockerfileError) throw hit;
  return hit;
}

/** What the instruction readers build up while walking a Dockerfile once, top to bottom. */
interface ParseState {
  file: string;
  buildArgs: Record<string, string>;
  escapeChar: string;
  /** Lines whose instruction carries a heredoc. */
  heredocLines: ReadonlySet<number>;
  stages: BuildStage[];
  scopes: StageScope[];
  refs: StageReference[];
  contextSources: CopySource[];
  external: Set<string>;
  globalArgs: Record<string, string | undefined>;
  scope: StageScope;
  finalUser?: string;
}

function fail(state: ParseState, ins: DockerInstruction, reason: string): never {
  throw new DockerfileError(state.file, ins.line, reason);
}

function addSource(state: ParseState, instruction: CopySource['instruction'], raw: string, line: number): void {
  const resolved = substitute(raw, state.scope.vars, state.scope.complete);
  // An unknown variable may point anywhere: the whole context is read.
  state.contextSources.push({
    instruction,
    path: resolved === null ? '.' : normaliseSource(resolved),
    line,
    unresolved: resolved === null,
    stage: state.stages.length - 1,
  });
}

/** ARG: before the first FROM a global default (FROM lines see it); in a stage, a variable of that stage. */
function readArg(state: ParseState, ins: DockerInstruction, words: string[]): void {
  if (words.length === 0) fail(state, ins, 'ARG needs a name');
  const { buildArgs, globalArgs, scope } = state;
  for (const prop of ins.properties) {
    const def = prop.value === null ? undefined : unmask(prop.value);
    if (state.stages.length === 0) {
      globalArgs[prop.name] =
        buildArgs[prop.name] ?? (def === undefined ? undefined : (substitute(def, globalArgs, true) ?? undefined));
    } else {
      // In a stage, "ARG X" without a default takes the global default (or the build arg).
      scope.vars[prop.name] =
        buildArgs[prop.name] ??
        (def === undefined ? globalArgs[prop.name] : (substitute(def, scope.vars, scope.complete) ?? undefined));
    }
  }
}

/** RUN: its line for messages; a `--mount` reads another stage (from=) or the build context (bind). */
function readRun(state: ParseState, ins: DockerInstruction, words: string[]): void {
  if (words.length === 0) fail(state, ins, 'RUN needs a command');
  const stage = state.stages[state.stages.length - 1];
  stage.runLines.push(ins.line);
  stage.runs.push({ line: ins.line, text: unmask(ins.text.split('\n')[0].trim()) });
  for (const flag of ins.flags) {
    if (flag.name !== 'mount') continue;
    const mount = mountOptions(flag.value ?? '');
    if (mount.from !== undefined) {
      if (hasVariable(mount.from))
        fail(
          state,
          ins,
          `RUN --mount from=${mount.from}: 'from' doesn't support variable expansion, define alias stage instead`,
        );
      state.refs.push({ stage: stage.index, ref: mount.from, line: ins.line, instruction: 'RUN --mount' });
    } else if ((mount.type ?? 'bind') === 'bind') {
      // A bind mount without `from` reads the build context (source defaults to its root).
      addSource(state, 'RUN', mount.source ?? mount.src ?? '.', ins.line);
    }
  }
}

/** ENV and LABEL: `name=value` pairs; ENV values are visible to later sources and to stages built FROM this one. */
function readEnvOrLabel(state: ParseState, ins: DockerInstruction, words: string[]): void {
  const props = ins.properties;
  if (props.length === 0) fail(state, ins, `${ins.keyword} needs a name and a value`);
  const problem = nameValueProblem(words, props);
  if (problem) fail(state, ins, problem);
  if (ins.keyword === 'LABEL') return;
  const { scope } = state;
  for (const prop of props) {
    const value = prop.value;
    const resolved = value === null ? undefined : (substitute(unmask(value), scope.vars, scope.complete) ?? undefined);
    scope.vars[prop.name] = resolved;
    scope.env[prop.name] = resolved;
  }
}

/** COPY/ADD: a `--from` reference, or sources from the build context (not URLs, not heredocs). */
function readCopy(state: ParseState, ins: DockerInstruction, words: string[]): void {
  const keyword = ins.keyword;
  const paths = copyPaths(keyword, words, unmask(ins.text), state.escapeChar, state.heredocLines.has(ins.line));
  if (typeof paths === 'string') fail(state, ins, paths);
  // BuildKit's lexer runs over every source and destination, the JSON form's elements too. Outside the JSON
  // form the words here have lost their escapes, so an escaped quote (`\"`) leaves them to the engine.
  const json = words.find((w) => !w.startsWith('--'))?.startsWith('[') ?? false;
  const escapedQuote = !json && new RegExp(`\\${state.escapeChar}["']`).test(ins.text);
  const unquoted = (paths as string[]).map((word) => {
    if (escapedQuote) return word;
    const read = unquoteWord(word, state.escapeChar);
    if ('problem' in read) return fail(state, ins, `${keyword} ${word}: ${read.problem}`);
    return read.value;
  });
  const fromFlag = ins.flags.find((f) => f.name === 'from');
  if (fromFlag) {
    const value = fromFlag.value;
    if (!value) fail(state, ins, `${keyword} --from needs a stage or image`);
    if (hasVariable(value!)) {
      fail(
        state,
        ins,
        `${keyword} --from=${value}: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround`,
      );
    }
    const stage = state.stages.length - 1;
    state.refs.push({ stage, ref: value!, line: ins.line, instruction: `${keyword} --from` });
    return;
  }
  for (const src of unquoted.slice(0, -1)) {
    if (keyword === 'ADD' && /^(https?:\/\/|git@|git:\/\/)/.test(src)) continue;
    addSource(state, keyword as 'COPY' | 'ADD', src, ins.line);
  }
}

/** One instruction: checks that hold for all, then the keyword's reader. */
function readInstruction(state: ParseState, ins: DockerInstruction): void {
  const keyword = ins.keyword;
  const words = ins.words.map(unmask);
  if (!KNOWN_INSTRUCTIONS.has(keyword)) fail(state, ins, `unknown instruction "${ins.instruction}"`);
  if (state.stages.length === 0 && keyword !== 'ARG' && keyword !== 'FROM') {
    fail(state, ins, `${keyword} before the first FROM (only ARG may come before FROM)`);
  }
  if (keyword === 'ARG') return readArg(state, ins, words);
  if (keyword === 'FROM') {
    const { file, stages, scopes, globalArgs, external } = state;
    state.scope = readFromInstruction(ins, words, { file, stages, scopes, globalArgs, external });
    state.finalUser = undefined;
    return;
  }
  if (keyword === 'RUN') return readRun(state, ins, words);
  if (keyword === 'USER') {
    if (words.length === 0) fail(state, ins, 'USER needs a user');
    state.finalUser = substitute(words[0], state.scope.vars, state.scope.complete) ?? words[0];
    return;
  }
  if (keyword === 'ENV' || keyword === 'LABEL') return readEnvOrLabel(state, ins, words);
  if (keyword === 'COPY' || keyword === 'ADD') return readCopy(state, ins, words);
}

function parseUncached(content: string, file: string, buildArgs: Record<string, string>): DockerfileModel {
  // Windows line endings: the parser and the line numbers both work on "\n".
  const scan = scanHeredocs(content.replace(/\r\n?/g, '\n'), file);
  const { instructions, escapeChar } = instructionList(scan.masked);
  const state: ParseState = {
    file,
    buildArgs,
    escapeChar,
    heredocLines: new Set(scan.heredocs.keys()),
    stages: [],
    scopes: [],
    refs: [],
    contextSources: [],
    external: new Set<string>(),
    globalArgs: {},
    scope: { vars: {}, env: {}, complete: false },
  };
  for (const ins of instructions) readInstruction(state, ins);
  const { stages, external } = state;
  if (stages.length === 0) {
    const last = instructions[instructions.length - 1];
    throw new DockerfileError(file, last ? last.line : 1, 'no FROM instruction');
  }
  for (const image of resolveStageReferences(stages, state.refs, file)) external.add(image);
  const { contextSources, globalArgs, finalUser } = state;
  return { stages, contextSources, externalImages: [...external], globalArgs, finalUser };
}

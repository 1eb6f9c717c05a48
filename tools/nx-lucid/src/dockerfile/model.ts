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

export type { BuildStage } from './stages';

export interface CopySource {
  /** RUN: a `--mount=type=bind` without `from`, which reads the build context. */
  instruction: 'COPY' | 'ADD' | 'RUN';
  /** Path relative to the build context, posix, without leading "./". "." is the whole context. */
  path: string;
  line: number;
  /** A variable could not be resolved, so the source may be anything in the context. */
  unresolved: boolean;
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

function parseUncached(content: string, file: string, buildArgs: Record<string, string>): DockerfileModel {
  // Windows line endings: the parser and the line numbers both work on "\n".
  const scan = scanHeredocs(content.replace(/\r\n?/g, '\n'), file);
  const { instructions, escapeChar } = instructionList(scan.masked);
  const stages: BuildStage[] = [];
  const scopes: StageScope[] = [];
  const refs: StageReference[] = [];
  const contextSources: CopySource[] = [];
  const external = new Set<string>();
  const globalArgs: Record<string, string | undefined> = {};
  let scope: StageScope = { vars: {}, env: {}, complete: false };
  let finalUser: string | undefined;

  const lineOf = (ins: DockerInstruction) => ins.line;
  const fail = (ins: DockerInstruction, reason: string): never => {
    throw new DockerfileError(file, lineOf(ins), reason);
  };
  const addSource = (instruction: CopySource['instruction'], raw: string, line: number) => {
    const resolved = substitute(raw, scope.vars, scope.complete);
    // An unknown variable may point anywhere: the whole context is read.
    contextSources.push({
      instruction,
      path: resolved === null ? '.' : normaliseSource(resolved),
      line,
      unresolved: resolved === null,
    });
  };

  for (const ins of instructions) {
    const keyword = ins.keyword;
    const words = ins.words.map(unmask);
    if (!KNOWN_INSTRUCTIONS.has(keyword)) fail(ins, `unknown instruction "${ins.instruction}"`);
    if (stages.length === 0 && keyword !== 'ARG' && keyword !== 'FROM') {
      fail(ins, `${keyword} before the first FROM (only ARG may come before FROM)`);
    }
    if (keyword === 'ARG') {
      if (words.length === 0) fail(ins, 'ARG needs a name');
      for (const prop of ins.properties) {
        const name = prop.name;
        const raw = prop.value;
        const def = raw === null ? undefined : unmask(raw);
        if (stages.length === 0) {
          globalArgs[name] =
            buildArgs[name] ?? (def === undefined ? undefined : (substitute(def, globalArgs, true) ?? undefined));
        } else {
          // In a stage, "ARG X" without a default takes the global default (or the build arg).
          scope.vars[name] =
            buildArgs[name] ??
            (def === undefined ? globalArgs[name] : (substitute(def, scope.vars, scope.complete) ?? undefined));
        }
      }
      continue;
    }
    if (keyword === 'FROM') {
      scope = readFromInstruction(ins, words, { file, stages, scopes, globalArgs, external });
      finalUser = undefined;
      continue;
    }
    const stage = stages[stages.length - 1];
    if (keyword === 'RUN') {
      if (words.length === 0) fail(ins, 'RUN needs a command');
      stage.runLines.push(lineOf(ins));
      stage.runs.push({ line: lineOf(ins), text: unmask(ins.text.split('\n')[0].trim()) });
      for (const flag of ins.flags) {
        if (flag.name !== 'mount') continue;
        const mount = mountOptions(flag.value ?? '');
        if (mount.from !== undefined) {
          if (hasVariable(mount.from))
            fail(
              ins,
              `RUN --mount from=${mount.from}: 'from' doesn't support variable expansion, define alias stage instead`,
            );
          refs.push({ stage: stage.index, ref: mount.from, line: lineOf(ins), instruction: 'RUN --mount' });
        } else if ((mount.type ?? 'bind') === 'bind') {
          // A bind mount without `from` reads the build context (source defaults to its root).
          addSource('RUN', mount.source ?? mount.src ?? '.', lineOf(ins));
        }
      }
      continue;
    }
    if (keyword === 'USER') {
      if (words.length === 0) fail(ins, 'USER needs a user');
      finalUser = substitute(words[0], scope.vars, scope.complete) ?? words[0];
      continue;
    }
    if (keyword === 'ENV' || keyword === 'LABEL') {
      const props = ins.properties;
      if (props.length === 0) fail(ins, `${keyword} needs a name and a value`);
      const problem = nameValueProblem(words, props);
      if (problem) fail(ins, problem);
      if (keyword === 'LABEL') continue;
      // ENV values are visible to later COPY/ADD sources in the same stage and in stages built FROM it.
      for (const prop of props) {
        const value = prop.value;
        const resolved =
          value === null ? undefined : (substitute(unmask(value), scope.vars, scope.complete) ?? undefined);
        scope.vars[prop.name] = resolved;
        scope.env[prop.name] = resolved;
      }
      continue;
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const paths = copyPaths(keyword, words, unmask(ins.text), escapeChar, scan.heredocs.has(lineOf(ins)));
      if (typeof paths === 'string') fail(ins, paths);
      const fromFlag = ins.flags.find((f) => f.name === 'from');
      if (fromFlag) {
        const value = fromFlag.value;
        if (!value) fail(ins, `${keyword} --from needs a stage or image`);
        if (hasVariable(value!)) {
          fail(
            ins,
            `${keyword} --from=${value}: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround`,
          );
        }
        refs.push({ stage: stage.index, ref: value!, line: lineOf(ins), instruction: `${keyword} --from` });
        continue;
      }
      for (const src of (paths as string[]).slice(0, -1)) {
        if (keyword === 'ADD' && /^(https?:\/\/|git@|git:\/\/)/.test(src)) continue;
        addSource(keyword, src, lineOf(ins));
      }
      continue;
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError(
      file,
      instructions.length ? lineOf(instructions[instructions.length - 1]) : 1,
      'no FROM instruction',
    );
  }
  for (const image of resolveStageReferences(stages, refs, file)) external.add(image);
  return { stages, contextSources, externalImages: [...external], globalArgs, finalUser };
}

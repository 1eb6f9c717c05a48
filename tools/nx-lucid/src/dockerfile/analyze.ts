import { DockerfileParser, Instruction, Copy, From, Arg, Env } from 'dockerfile-ast';
import { posix } from 'node:path';

/** A Dockerfile the plugin cannot trust: names the file and the 1-based line. */
export class DockerfileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'DockerfileError';
  }
}

export interface BuildStage {
  index: number;
  name?: string;
  /** The FROM image as written, with known ARG defaults substituted. */
  image: string;
  /** True when the FROM names an earlier stage rather than an image. */
  fromStage: boolean;
  line: number;
  runLines: number[];
}

export interface CopySource {
  instruction: 'COPY' | 'ADD';
  /** Path relative to the build context, posix, without leading "./". "." is the whole context. */
  path: string;
  line: number;
  /** A variable could not be resolved, so the source may be anything in the context. */
  unresolved: boolean;
}

export interface DockerfileAnalysis {
  stages: BuildStage[];
  /** Sources read from the build context (not from another stage, URL or heredoc). */
  contextSources: CopySource[];
  /** Images pulled by FROM or COPY --from=<image> (not stages, not scratch). */
  externalImages: string[];
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string | undefined>;
  /** USER of the final stage, if any. */
  finalUser?: string;
}

const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes $VAR / ${VAR} / ${VAR:-x}; returns null when a variable has no known value. */
export function substitute(text: string, vars: Record<string, string | undefined>): string | null {
  let unresolved = false;
  const out = text.replace(VAR, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const value = vars[name];
    if (value !== undefined) return value;
    const fallback = /^\$\{[A-Za-z0-9_]+:?-([^}]*)\}$/.exec(whole);
    if (fallback) return fallback[1];
    unresolved = true;
    return whole;
  });
  return unresolved ? null : out;
}

function normaliseSource(raw: string): string {
  const trimmed = raw.replace(/^\.\/+/, '').replace(/^\/+/, '');
  const norm = posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '');
  return norm === '' ? '.' : norm;
}

/**
 * Parses a Dockerfile and extracts what the build reads. `file` is only used in errors.
 * Throws DockerfileError for input that Docker itself would reject.
 */
export function analyzeDockerfile(
  content: string,
  file: string,
  buildArgs: Record<string, string> = {},
): DockerfileAnalysis {
  const text = content.replace(/\r\n?/g, '\n');
  const df = DockerfileParser.parse(text);
  const instructions = df.getInstructions();
  const stages: BuildStage[] = [];
  const contextSources: CopySource[] = [];
  const external = new Set<string>();
  const globalArgs: Record<string, string | undefined> = {};
  let stageVars: Record<string, string | undefined> = {};
  let finalUser: string | undefined;

  const fail = (ins: Instruction, reason: string): never => {
    throw new DockerfileError(file, ins.getRange().start.line + 1, reason);
  };

  for (const ins of instructions) {
    const keyword = ins.getKeyword();
    const args = ins.getArguments().map((a) => a.getValue());
    if (!KNOWN.has(keyword)) fail(ins, `unknown instruction "${ins.getInstruction()}"`);
    if (stages.length === 0 && keyword !== 'ARG' && keyword !== 'FROM') {
      fail(ins, `${keyword} before the first FROM (only ARG may come before FROM)`);
    }
    if (keyword === 'ARG') {
      if (args.length === 0) fail(ins, 'ARG needs a name');
      for (const prop of (ins as Arg).getProperties()) {
        const name = prop.getName();
        const def = prop.getValue() ?? undefined;
        const value = buildArgs[name] ?? (def === undefined ? undefined : substitute(def, { ...globalArgs, ...stageVars }) ?? undefined);
        if (stages.length === 0) globalArgs[name] = value;
        else stageVars[name] = value ?? globalArgs[name];
      }
      continue;
    }
    if (keyword === 'FROM') {
      const from = ins as From;
      if (args.length === 0) fail(ins, 'FROM needs an image');
      const flagless = args.filter((a) => !a.startsWith('--'));
      if (flagless.length !== 1 && !(flagless.length === 3 && flagless[1].toUpperCase() === 'AS')) {
        fail(ins, `FROM takes "image [AS name]", got "${args.join(' ')}"`);
      }
      const raw = flagless[0];
      const image = substitute(raw, { ...buildArgs, ...globalArgs }) ?? raw;
      const name = from.getBuildStage() ?? undefined;
      const fromStage = stages.some((s) => s.name !== undefined && s.name.toLowerCase() === image.toLowerCase());
      if (!fromStage && image !== 'scratch') external.add(image);
      stages.push({ index: stages.length, name, image, fromStage, line: ins.getRange().start.line + 1, runLines: [] });
      stageVars = {};
      finalUser = undefined;
      continue;
    }
    const stage = stages[stages.length - 1];
    if (keyword === 'RUN') {
      if (args.length === 0) fail(ins, 'RUN needs a command');
      stage.runLines.push(ins.getRange().start.line + 1);
      continue;
    }
    if (keyword === 'USER') {
      if (args.length === 0) fail(ins, 'USER needs a user');
      finalUser = substitute(args[0], { ...globalArgs, ...stageVars }) ?? args[0];
      continue;
    }
    if (keyword === 'ENV') {
      // ENV values are visible to later COPY/ADD sources in the same stage.
      for (const prop of (ins as Env).getProperties()) {
        const value = prop.getValue();
        stageVars[prop.getName()] = value === null ? undefined : substitute(value, { ...globalArgs, ...stageVars }) ?? undefined;
      }
      continue;
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const copy = ins as Copy;
      const heredocs = copy.getHeredocs ? copy.getHeredocs() : [];
      const fromFlag = copy.getFlags().find((f) => f.getName() === 'from');
      let paths: string[];
      if (args[0]?.startsWith('[')) {
        const json = copy.getJSONStrings();
        if (!copy.getClosingBracket() || json.length === 0) fail(ins, `${keyword} has a malformed JSON array`);
        paths = json.map((j) => j.getJSONValue());
      } else if (heredocs.length > 0) {
        // Heredoc bodies are inline content, not files from the context.
        continue;
      } else {
        paths = args;
      }
      if (paths.length < 2) fail(ins, `${keyword} needs at least one source and a destination`);
      if (fromFlag) {
        const value = fromFlag.getValue();
        if (!value) fail(ins, `${keyword} --from needs a stage or image`);
        const ref = substitute(value!, { ...globalArgs, ...stageVars }) ?? value!;
        const isStage = /^\d+$/.test(ref) || stages.some((s) => s.name !== undefined && s.name.toLowerCase() === ref.toLowerCase());
        if (!isStage) external.add(ref);
        continue;
      }
      for (const src of paths.slice(0, -1)) {
        if (keyword === 'ADD' && /^(https?:\/\/|git@)/.test(src)) continue;
        const resolved = substitute(src, { ...globalArgs, ...stageVars });
        contextSources.push({
          instruction: keyword,
          path: resolved === null ? '.' : normaliseSource(resolved),
          line: ins.getRange().start.line + 1,
          unresolved: resolved === null,
        });
      }
      continue;
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError(file, 1, 'no FROM instruction');
  }
  return { stages, contextSources, externalImages: [...external], globalArgs, finalUser };
}

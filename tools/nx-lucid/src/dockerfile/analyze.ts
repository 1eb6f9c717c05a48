import { DockerfileParser, Instruction, Copy, From, Arg, Env, Run } from 'dockerfile-ast';
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
  /** RUN: a `--mount=type=bind` without `from`, which reads the build context. */
  instruction: 'COPY' | 'ADD' | 'RUN';
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

const VAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Substitutes $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word} as Docker does.
 * A name mapped to undefined is declared but unknown (an ARG without default: a build arg may set it).
 * `complete` says the map is the whole scope, so an absent name is unset (Docker expands it to "");
 * otherwise an absent name may come from the base image. Returns null when the result depends on an unknown.
 */
export function substitute(text: string, vars: Record<string, string | undefined>, complete = false): string | null {
  let unresolved = false;
  const out = text.replace(
    VAR,
    (whole, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      const declared = Object.prototype.hasOwnProperty.call(vars, name);
      const isSet = declared ? vars[name] !== undefined : complete ? false : undefined;
      if (isSet === undefined || (declared && vars[name] === undefined)) {
        unresolved = true;
        return whole;
      }
      const value = isSet ? vars[name]! : '';
      if (op === ':-') return value !== '' ? value : word ?? '';
      if (op === '-') return isSet ? value : word ?? '';
      if (op === ':+') return value !== '' ? word ?? '' : '';
      if (op === '+') return isSet ? word ?? '' : '';
      return value;
    },
  );
  return unresolved ? null : out;
}

function normaliseSource(raw: string): string {
  const trimmed = raw.replace(/^\.\/+/, '').replace(/^\/+/, '');
  const norm = posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '');
  return norm === '' ? '.' : norm;
}

/** Build args BuildKit defines for every build; their values depend on the platform being built. */
const PLATFORM_ARGS = [
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
];

interface StageScope {
  /** ARG and ENV values visible to this stage's instructions. */
  vars: Record<string, string | undefined>;
  /** ENV values only: a stage built FROM this one inherits them. */
  env: Record<string, string | undefined>;
  /** True when every variable in scope is known (the stage starts from scratch or from such a stage). */
  complete: boolean;
}

/**
 * The JSON (exec) form of an instruction, parsed from its raw text: the parser's argument list splits on
 * whitespace and so loses spaces inside JSON strings. Null when the array is not valid JSON strings.
 */
function jsonForm(raw: string, escapeChar: string): string[] | null {
  const joined = raw.split(new RegExp(`\\${escapeChar}[ \\t]*\\n`)).join('');
  const start = joined.indexOf('[');
  if (start < 0) return null;
  try {
    const value: unknown = JSON.parse(joined.slice(start).trim());
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return null;
    return value as string[];
  } catch {
    return null;
  }
}

/** Parses `type=bind,source=x,from=y` mount options. */
function mountOptions(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) out[part.trim().toLowerCase()] = 'true';
    else out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
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
  // Windows line endings: the parser and the line numbers both work on "\n".
  const text = content.replace(/\r\n?/g, '\n');
  const df = DockerfileParser.parse(text);
  const instructions = df.getInstructions();
  const escapeChar = df.getEscapeCharacter();
  const stages: BuildStage[] = [];
  const scopes: StageScope[] = [];
  const contextSources: CopySource[] = [];
  const external = new Set<string>();
  const globalArgs: Record<string, string | undefined> = {};
  let scope: StageScope = { vars: {}, env: {}, complete: false };
  let finalUser: string | undefined;

  const lineOf = (ins: Instruction) => ins.getRange().start.line + 1;
  const fail = (ins: Instruction, reason: string): never => {
    throw new DockerfileError(file, lineOf(ins), reason);
  };
  const stageNamed = (ref: string) => stages.findIndex((s) => s.name !== undefined && s.name.toLowerCase() === ref.toLowerCase());
  const addSource = (instruction: CopySource['instruction'], raw: string, line: number) => {
    const resolved = substitute(raw, scope.vars, scope.complete);
    contextSources.push({
      instruction,
      // An unknown variable may point anywhere: the whole context is read.
      path: resolved === null ? '.' : normaliseSource(resolved),
      line,
      unresolved: resolved === null,
    });
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
        if (stages.length === 0) {
          const value = buildArgs[name] ?? (def === undefined ? undefined : substitute(def, globalArgs, true) ?? undefined);
          globalArgs[name] = value;
        } else {
          // In a stage, "ARG X" without a default takes the global default (or the build arg).
          const value =
            buildArgs[name] ??
            (def === undefined ? globalArgs[name] : substitute(def, scope.vars, scope.complete) ?? undefined);
          scope.vars[name] = value;
        }
      }
      continue;
    }
    if (keyword === 'FROM') {
      const from = ins as From;
      const flagless = args.filter((a) => !a.startsWith('--'));
      if (flagless.length === 0) fail(ins, 'FROM needs an image');
      if (flagless.length !== 1 && !(flagless.length === 3 && flagless[1].toUpperCase() === 'AS')) {
        fail(ins, `FROM takes "image [AS name]", got "${args.join(' ')}"`);
      }
      const raw = flagless[0];
      // FROM sees only the ARGs declared before the first FROM, plus BuildKit's platform args.
      const fromScope: Record<string, string | undefined> = { ...Object.fromEntries(PLATFORM_ARGS.map((a) => [a, undefined])), ...globalArgs };
      const image = substitute(raw, fromScope, true) ?? raw;
      if (image.trim() === '') fail(ins, `FROM image "${raw}" is empty once its ARGs are substituted`);
      const name = from.getBuildStage() ?? undefined;
      const parent = stageNamed(image);
      const fromStage = parent >= 0;
      if (!fromStage && image !== 'scratch') external.add(image);
      stages.push({ index: stages.length, name, image, fromStage, line: lineOf(ins), runLines: [] });
      const inherited = fromStage ? scopes[parent] : undefined;
      scope = {
        vars: { ...(inherited?.env ?? {}) },
        env: { ...(inherited?.env ?? {}) },
        complete: inherited ? inherited.complete : image === 'scratch',
      };
      scopes.push(scope);
      finalUser = undefined;
      continue;
    }
    const stage = stages[stages.length - 1];
    if (keyword === 'RUN') {
      if (args.length === 0) fail(ins, 'RUN needs a command');
      stage.runLines.push(lineOf(ins));
      for (const flag of (ins as Run).getFlags()) {
        if (flag.getName() !== 'mount') continue;
        const mount = mountOptions(flag.getValue() ?? '');
        // A bind mount without `from` reads the build context (source defaults to its root).
        if ((mount.type ?? 'bind') === 'bind' && mount.from === undefined) {
          addSource('RUN', mount.source ?? mount.src ?? '.', lineOf(ins));
        }
      }
      continue;
    }
    if (keyword === 'USER') {
      if (args.length === 0) fail(ins, 'USER needs a user');
      finalUser = substitute(args[0], scope.vars, scope.complete) ?? args[0];
      continue;
    }
    if (keyword === 'ENV') {
      const props = (ins as Env).getProperties();
      if (props.length === 0) fail(ins, 'ENV needs a name and a value');
      // ENV values are visible to later COPY/ADD sources in the same stage and in stages built FROM it.
      for (const prop of props) {
        const value = prop.getValue();
        const resolved = value === null ? undefined : substitute(value, scope.vars, scope.complete) ?? undefined;
        scope.vars[prop.getName()] = resolved;
        scope.env[prop.getName()] = resolved;
      }
      continue;
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const copy = ins as Copy;
      const heredocs = copy.getHeredocs ? copy.getHeredocs() : [];
      const fromFlag = copy.getFlags().find((f) => f.getName() === 'from');
      let paths: string[];
      if (args[0]?.startsWith('[')) {
        const parsed = jsonForm(copy.getTextContent(), escapeChar);
        if (!parsed) fail(ins, `${keyword} has a malformed JSON array (expected ["src", ..., "dest"])`);
        paths = parsed!;
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
        const ref = substitute(value!, scope.vars, scope.complete) ?? value!;
        const isStage = /^\d+$/.test(ref) || stageNamed(ref) >= 0;
        if (!isStage) external.add(ref);
        continue;
      }
      for (const src of paths.slice(0, -1)) {
        if (keyword === 'ADD' && /^(https?:\/\/|git@|git:\/\/)/.test(src)) continue;
        addSource(keyword, src, lineOf(ins));
      }
      continue;
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError(file, instructions.length ? lineOf(instructions[instructions.length - 1]) : 1, 'no FROM instruction');
  }
  return { stages, contextSources, externalImages: [...external], globalArgs, finalUser };
}

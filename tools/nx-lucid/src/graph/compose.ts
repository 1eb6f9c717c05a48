/**
 * Compose `build:` blocks (docker-compose*.y*ml, compose*.y*ml): which Dockerfile each service builds, with
 * which context and build args. `build.context` is relative to the compose file's folder, `build.dockerfile`
 * to the context (Compose specification, "build" section).
 */
import { posix } from 'node:path';
import { Workspace, workspaceFiles } from './workspace-files';
import type { parse as parseYaml } from 'yaml';
import { PLATFORM_ARGS } from '../dockerfile/instructions';

export interface ComposeBuild {
  /** Workspace-relative Dockerfile path. */
  dockerfile: string;
  /** Workspace-relative build context ("." is the workspace root). */
  context: string;
  buildArgs: Record<string, string>;
  /** `build.target`: the stage compose builds. */
  target?: string;
  composeFile: string;
  service: string;
}

export interface ComposeScan {
  /** The first build (by compose file path, then service) naming each Dockerfile. */
  builds: Map<string, ComposeBuild>;
  /** Builds that cannot be used, e.g. a Dockerfile that does not exist; one line each. */
  problems: string[];
}

/** `${X:-default}` / `${X-default}` take their default; a value with any other variable is left out. */
function argValue(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = String(raw).replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1');
  return /\$\{?[A-Za-z_]/.test(text) ? undefined : text;
}

function buildArgsOf(args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Array<[string, unknown]> = Array.isArray(args)
    ? args
        .map((a) => String(a))
        .map((a) => (a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]))
    : args && typeof args === 'object'
      ? Object.entries(args as Record<string, unknown>)
      : [];
  for (const [k, v] of entries) {
    // BuildKit sets the platform args per platform built, and BUILDKIT_* are builder settings, not ARGs.
    if (PLATFORM_ARGS.includes(k) || k.startsWith('BUILDKIT_')) continue;
    const value = argValue(v);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

/** Workspace-relative, or null when the path leaves the workspace. */
function inWorkspace(path: string): string | null {
  const norm = posix.normalize(path);
  return norm === '..' || norm.startsWith('../') ? null : norm.replace(/\/+$/, '') || '.';
}

/** A compose file's services that have a `build:` block, as [service, build] (JSON), or why it cannot be read. */
export type ComposeBuildBlocks = Array<[string, unknown]> | { error: string };

/**
 * Whether a YAML text can have a `build` key: written `build:` (plain, quoted or in a flow mapping: YAML keeps an
 * implicit key and its colon on one line). Anything that could spell it otherwise sends the text to the parser: an
 * explicit key (`? build`), an escape (a double-quoted key such as "\x62uild"), an alias used as a key.
 */
const MAY_HAVE_BUILD_KEY = /build["']?[ \t]*:|^[ \t-]*[?*]|[{,[][ \t]*[?*]|\\/m;

/** An escape can spell `build` without the letters in a row, so a text with a backslash is always parsed. */
export const mayHaveBuildKey = (text: string) =>
  text.includes('\\') || (text.includes('build') && MAY_HAVE_BUILD_KEY.test(text));

/** Parses a compose file and keeps only what the graph reads from it: each service's `build:` value. */
export function composeBuildBlocks(text: string): ComposeBuildBlocks {
  // No build key possible: no build block, and no parse to pay for (the YAML parse was most of a cold graph on
  // the Lucid tree; a third of its compose text names "build" only in values and comments).
  return mayHaveBuildKey(text) ? parsedBuildBlocks(text) : [];
}

/** composeBuildBlocks without the shortcut: the whole text parsed. */
export function parsedBuildBlocks(text: string): ComposeBuildBlocks {
  let doc: unknown;
  try {
    // Loaded on the first compose file: a workspace without one never pays for the YAML parser.
    const { parse } = require('yaml') as { parse: typeof parseYaml };
    doc = parse(text, { uniqueKeys: false, merge: true });
  } catch (e) {
    return { error: `not valid YAML (${(e as Error).message.split('\n')[0]})` };
  }
  const services = (doc as { services?: Record<string, unknown> } | null)?.services;
  if (!services || typeof services !== 'object') return [];
  const blocks: Array<[string, unknown]> = [];
  for (const [service, def] of Object.entries(services)) {
    const build = (def as { build?: unknown } | null)?.build;
    if (build !== undefined && build !== null) blocks.push([service, JSON.parse(JSON.stringify(build))]);
  }
  return blocks;
}

/** One build block as a ComposeBuild, or the problem with it, or null when it builds nothing here. */
function composeBuild(
  fs: ReturnType<typeof workspaceFiles>,
  composeFile: string,
  service: string,
  build: unknown,
): ComposeBuild | string | null {
  const spec = typeof build === 'string' ? { context: build } : (build as Record<string, unknown>);
  if (typeof spec !== 'object' || spec.dockerfile_inline !== undefined) return null;
  const rawContext = (typeof spec.context === 'string' ? argValue(spec.context) : '.') ?? '';
  if (/^[a-z]+:\/\/|^git@/.test(rawContext)) return null;
  const context = inWorkspace(posix.join(posix.dirname(composeFile), rawContext));
  const dockerfileName = (typeof spec.dockerfile === 'string' ? argValue(spec.dockerfile) : 'Dockerfile') ?? '';
  if (rawContext === '' || dockerfileName === '') return null;
  const dockerfile = context === null ? null : inWorkspace(posix.join(context, dockerfileName));
  const where = `${composeFile}: service "${service}"`;
  if (context === null || dockerfile === null)
    return `${where}: build context "${rawContext}" is outside the workspace`;
  if (!fs.exists(dockerfile)) return `${where}: builds ${dockerfile}, which does not exist`;
  const target = typeof spec.target === 'string' ? argValue(spec.target) : undefined;
  return {
    dockerfile,
    context,
    buildArgs: buildArgsOf(spec.args),
    ...(target ? { target } : {}),
    composeFile,
    service,
  };
}

/**
 * The compose files' build blocks. `blocksOf` turns a file's text into its blocks (createNodes passes one that
 * keeps them in the on-disk cache by the text's hash: the YAML parse was most of a cold graph on the Lucid tree).
 */
export function scanComposeFiles(
  workspace: Workspace,
  composeFiles: readonly string[],
  blocksOf: (text: string) => ComposeBuildBlocks = composeBuildBlocks,
): ComposeScan {
  const fs = workspaceFiles(workspace);
  const builds = new Map<string, ComposeBuild>();
  const problems: string[] = [];
  for (const composeFile of [...composeFiles].sort()) {
    let blocks: ComposeBuildBlocks;
    try {
      blocks = blocksOf(fs.read(composeFile));
    } catch (e) {
      blocks = { error: `not readable (${(e as Error).message.split('\n')[0]})` };
    }
    if (!Array.isArray(blocks)) {
      problems.push(`${composeFile}: ${blocks.error}`);
      continue;
    }
    for (const [service, block] of blocks) {
      const build = composeBuild(fs, composeFile, service, block);
      if (typeof build === 'string') problems.push(build);
      else if (build && !builds.has(build.dockerfile)) builds.set(build.dockerfile, build);
    }
  }
  return { builds, problems };
}

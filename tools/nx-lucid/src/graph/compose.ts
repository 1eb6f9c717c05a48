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

export function scanComposeFiles(workspace: Workspace, composeFiles: readonly string[]): ComposeScan {
  const fs = workspaceFiles(workspace);
  const builds = new Map<string, ComposeBuild>();
  const problems: string[] = [];
  for (const composeFile of [...composeFiles].sort()) {
    let doc: unknown;
    try {
      // Loaded on the first compose file: a workspace without one never pays for the YAML parser.
      const { parse } = require('yaml') as { parse: typeof parseYaml };
      doc = parse(fs.read(composeFile), { uniqueKeys: false, merge: true });
    } catch (e) {
      problems.push(`${composeFile}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const services = (doc as { services?: Record<string, unknown> } | null)?.services;
    if (!services || typeof services !== 'object') continue;
    for (const [service, def] of Object.entries(services)) {
      const build = (def as { build?: unknown } | null)?.build;
      if (build === undefined || build === null) continue;
      const spec = typeof build === 'string' ? { context: build } : (build as Record<string, unknown>);
      if (typeof spec !== 'object' || spec.dockerfile_inline !== undefined) continue;
      const rawContext = (typeof spec.context === 'string' ? argValue(spec.context) : '.') ?? '';
      if (/^[a-z]+:\/\/|^git@/.test(rawContext)) continue;
      const context = inWorkspace(posix.join(posix.dirname(composeFile), rawContext));
      const dockerfileName = (typeof spec.dockerfile === 'string' ? argValue(spec.dockerfile) : 'Dockerfile') ?? '';
      if (rawContext === '' || dockerfileName === '') continue;
      const dockerfile = context === null ? null : inWorkspace(posix.join(context, dockerfileName));
      const where = `${composeFile}: service "${service}"`;
      if (context === null || dockerfile === null) {
        problems.push(`${where}: build context "${rawContext}" is outside the workspace`);
        continue;
      }
      if (!fs.exists(dockerfile)) {
        problems.push(`${where}: builds ${dockerfile}, which does not exist`);
        continue;
      }
      if (!builds.has(dockerfile))
        builds.set(dockerfile, {
          dockerfile,
          context,
          buildArgs: buildArgsOf(spec.args),
          ...(typeof spec.target === 'string' && argValue(spec.target) ? { target: argValue(spec.target) } : {}),
          composeFile,
          service,
        });
    }
  }
  return { builds, problems };
}

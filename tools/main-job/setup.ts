/** The main job's setup: its arguments, the plugin options from nx.json, the service list, the engine probe. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import { BUILDX_FIX, currentBuildxDriver } from '../nx-lucid/src/build/engines/select';
import { normalizePluginOptions } from '../nx-lucid/src/config/options';
import { phaseFromTags } from '../nx-lucid/src/config/phase';
import type { Service } from './summary';

export interface Args {
  dryRun: boolean;
  refreshBase: boolean;
  stopRegistry: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const known = new Set(['--dry-run', '--refresh-base', '--stop-registry']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length) {
    throw new Error(`unknown argument ${unknown.join(' ')}; expected ${[...known].join(' | ')}`);
  }
  return {
    dryRun: argv.includes('--dry-run'),
    refreshBase: argv.includes('--refresh-base'),
    stopRegistry: argv.includes('--stop-registry'),
  };
}

export function nxJsonPluginOptions(workspaceRoot: string) {
  const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins?: unknown[] };
  const entry = (nxJson.plugins ?? []).find(
    (p): p is { plugin: string; options?: unknown } =>
      typeof p === 'object' && p !== null && (p as { plugin?: string }).plugin === '@lucid/nx-lucid',
  );
  return normalizePluginOptions(entry?.options ?? {});
}

export async function listServices(phaseTagPrefix: string): Promise<Service[]> {
  const { createProjectGraphAsync } = await import('@nx/devkit');
  const graph = await createProjectGraphAsync({ exitOnError: false });
  const services: Service[] = [];
  for (const node of Object.values(graph.nodes)) {
    const tags = node.data.tags ?? [];
    if (!tags.includes('type:service')) continue;
    services.push({ name: node.name, phase: phaseFromTags(tags, phaseTagPrefix) });
  }
  return services.sort((a, b) => (a.phase ?? 99) - (b.phase ?? 99) || a.name.localeCompare(b.name));
}

export const REAL_BASE = 'docker://gcr.io/distroless/python3-debian12:nonroot';

/**
 * With a Docker engine whose buildx builder can export OCI layouts (not the docker driver) and internet, the job
 * uses buildx and the real distroless base; otherwise (as here) buildah and the stand-in base on the local mirror.
 * LUCID_ENGINE / LUCID_OFFLINE=1 override the probe. `why` says which it chose and why, for the job's log.
 */
export async function probeEngine(): Promise<{ online: boolean; why: string }> {
  if (process.env.LUCID_OFFLINE === '1')
    return { online: false, why: 'LUCID_OFFLINE=1: buildah and the stand-in base' };
  const ok = async (cmd: string, argv: string[], timeoutMs: number) =>
    (await runProcess(cmd, argv, { allowFailure: true, timeoutMs }).catch(() => undefined))?.exitCode === 0;
  if (!(await ok('docker', ['buildx', 'inspect', '--bootstrap'], 20000)))
    return { online: false, why: 'no usable docker buildx here: buildah and the stand-in base' };
  if ((await currentBuildxDriver().catch(() => undefined)) === 'docker')
    return {
      online: false,
      why: `buildx's builder uses the docker driver (no OCI layout export; \`${BUILDX_FIX}\` makes one): buildah and the stand-in base`,
    };
  if (!(await ok('skopeo', ['inspect', '--raw', '--retry-times', '0', REAL_BASE], 15000)))
    return { online: false, why: 'docker buildx works but gcr.io is not reachable: buildah and the stand-in base' };
  return { online: true, why: 'docker buildx and gcr.io reachable: buildx and the real distroless base' };
}

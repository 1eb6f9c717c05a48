import { join } from 'node:path';
import { Engine, EngineBuildPlan, EngineCommand, firstVersion, keyValueFlags, platformSlug } from './engine';

/** BuildKit cache flags for one platform's build: one cache scope per service and platform. */
export function cacheFlags(plan: EngineBuildPlan, platform: string): string[] {
  const scope = `${plan.project}-${platformSlug(platform)}`;
  if (plan.cache.type === 'gha') {
    return ['--cache-from', `type=gha,scope=${scope}`, '--cache-to', `type=gha,scope=${scope},mode=${plan.cache.mode}`];
  }
  if (plan.cache.type === 'registry') {
    const ref = `${plan.cache.ref ?? `${plan.image}-buildcache`}:${platformSlug(platform)}`;
    return ['--cache-from', `type=registry,ref=${ref}`, '--cache-to', `type=registry,ref=${ref},mode=${plan.cache.mode}`];
  }
  return [];
}

/**
 * docker buildx: one build per platform (each with its own cache scope, as CI runs them in parallel), each into
 * an OCI layout directory; build.ts merges them into one index. Provenance/SBOM attestations are off: they
 * would add unknown/unknown manifests to the index and a per-run timestamp.
 */
export const buildxEngine: Engine = {
  name: 'buildx',
  buildCommands(plan: EngineBuildPlan): EngineCommand[] {
    return plan.platforms.map((platform) => ({
      command: 'docker',
      label: `buildx build ${platform}`,
      args: [
        'buildx', 'build',
        '--platform', platform,
        '--provenance=false',
        '--sbom=false',
        '--output', `type=oci,dest=${join(plan.stagingDir, platformSlug(platform))},tar=false`,
        '--metadata-file', join(plan.stagingDir, `${platformSlug(platform)}.metadata.json`),
        ...keyValueFlags('--label', plan.labels),
        // BuildKit's reproducible-build knob: config and history times from the commit, not the clock.
        '--build-arg', `SOURCE_DATE_EPOCH=${plan.timestamp}`,
        ...keyValueFlags('--build-arg', plan.buildArgs),
        ...cacheFlags(plan, platform),
        '-f', plan.dockerfile,
        plan.context,
      ],
    }));
  },
  outputs: (plan) => plan.platforms.map((p) => ({ layoutDir: join(plan.stagingDir, platformSlug(p)), platforms: [p] })),
  versionCommand: () => ({ command: 'docker', args: ['buildx', 'version'], label: 'docker buildx version' }),
  parseVersion: firstVersion,
};

import { join } from 'node:path';
import {
  AttestationSpec,
  commonBuildFlags,
  Engine,
  EngineBuildPlan,
  EngineCommand,
  firstVersion,
  keyValueFlags,
  platformSlug,
} from './engine';
import { buildkitFailureSite } from './failure-site';
import { mirrorContexts } from './registries-conf';

/** BuildKit cache flags for one platform's build: one cache scope per service and platform. */
export function cacheFlags(plan: EngineBuildPlan, platform: string): string[] {
  const scope = `${plan.project}-${platformSlug(platform)}`;
  if (plan.cache.type === 'gha') {
    return ['--cache-from', `type=gha,scope=${scope}`, '--cache-to', `type=gha,scope=${scope},mode=${plan.cache.mode}`];
  }
  if (plan.cache.type === 'registry') {
    const ref = `${plan.cache.ref ?? `${plan.image}-buildcache`}:${platformSlug(platform)}`;
    return [
      '--cache-from',
      `type=registry,ref=${ref}`,
      '--cache-to',
      `type=registry,ref=${ref},mode=${plan.cache.mode}`,
    ];
  }
  return [];
}

/** --provenance / --sbom: SLSA provenance with every build step (mode=max), an SPDX SBOM from the scanner image. */
export function attestationFlags(a: AttestationSpec): string[] {
  return [
    a.provenance ? '--provenance=mode=max' : '--provenance=false',
    a.sbom ? (a.sbomGenerator ? `--sbom=generator=${a.sbomGenerator}` : '--sbom=true') : '--sbom=false',
  ];
}

/**
 * docker buildx: one build per platform (each with its own cache scope, as CI runs them in parallel), each into
 * an OCI layout directory; image-build/assemble.ts merges them into one index, with each platform's attestation
 * manifest (unknown/unknown, vnd.docker.reference.type=attestation-manifest) beside it.
 */
export const buildxEngine: Engine = {
  name: 'buildx',
  buildCommands(plan: EngineBuildPlan): EngineCommand[] {
    return plan.platforms.map((platform) => ({
      command: 'docker',
      label: `buildx build ${platform}`,
      args: [
        'buildx',
        'build',
        '--platform',
        platform,
        ...attestationFlags(plan.attestations),
        // rewrite-timestamp clamps file times inside the layers to SOURCE_DATE_EPOCH: same layers from any state.
        '--output',
        `type=oci,dest=${join(plan.stagingDir, platformSlug(platform))},tar=false,rewrite-timestamp=true`,
        '--metadata-file',
        join(plan.stagingDir, `${platformSlug(platform)}.metadata.json`),
        ...keyValueFlags('--label', plan.labels),
        // BuildKit's reproducible-build knob: config and history times from the commit, not the clock.
        '--build-arg',
        `SOURCE_DATE_EPOCH=${plan.timestamp}`,
        ...keyValueFlags('--build-arg', plan.buildArgs),
        ...cacheFlags(plan, platform),
        ...commonBuildFlags(plan),
        ...mirrorContexts(plan.pulls, plan.buildContexts),
        '-f',
        plan.dockerfile,
        plan.context,
      ],
    }));
  },
  outputs: (plan) => plan.platforms.map((p) => ({ layoutDir: join(plan.stagingDir, platformSlug(p)), platforms: [p] })),
  versionCommand: () => ({ command: 'docker', args: ['buildx', 'version'], label: 'docker buildx version' }),
  parseVersion: firstVersion,
  failureHint: buildkitFailureHint,
  failureSite: buildkitFailureSite,
};

/**
 * BuildKit's own error lines from buildx's stderr ("ERROR: failed to build: failed to solve: …"), first, so a
 * failed build says what BuildKit said; plus what to do when the SBOM scanner image cannot be pulled.
 */
export function buildkitFailureHint(stderr: string): string | undefined {
  const errors = stderr
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter((l) => /^ERROR:|^#\d+ ERROR:/.test(l));
  if (!errors.length) return undefined;
  const unique = [...new Set(errors.map((l) => l.replace(/^#\d+ /, '')))];
  const scanner = unique.some((l) => /buildkit-syft-scanner/.test(l))
    ? '\nthe SBOM scanner image could not be pulled: set attestations.sbom=false (or LUCID_ATTESTATIONS=provenance), or name a reachable scanner with attestations.sbomGenerator'
    : '';
  return `BuildKit: ${unique.join('\nBuildKit: ')}${scanner}`;
}

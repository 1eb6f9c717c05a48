/**
 * The nx-release-publish target `nx release publish` runs (Nx requires that exact name): the push target's options
 * and dependencies (build, and scan when the gate is on, so nothing unscanned is published) with the release
 * executor, which tags the built image by digest with the version nx release decided. No rebuild.
 */
import type { TargetConfiguration } from '@nx/devkit';
import type { AttestationPolicyOptions } from '../config/options';

export const RELEASE_PUBLISH_TARGET = 'nx-release-publish';

export function releasePublishTarget(
  pushTarget: TargetConfiguration,
  metadata: TargetConfiguration['metadata'],
  /** The release policy (the push target has none: a push publishes no release). */
  requireAttestations?: AttestationPolicyOptions,
): TargetConfiguration {
  return {
    executor: '@lucid/nx-lucid:release-publish',
    cache: false,
    dependsOn: pushTarget.dependsOn,
    options: { ...pushTarget.options, ...(requireAttestations ? { requireAttestations } : {}) },
    metadata,
  };
}

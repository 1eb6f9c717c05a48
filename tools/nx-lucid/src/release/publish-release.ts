/**
 * The nx-release-publish use case: the release's version (publish-version.ts), a check that the build output was
 * built from it, then the ordinary push by digest with that version as the release (semver tags by the tag
 * rules). Blobs and manifests the registry already has are skipped, so a pushed image only gains tags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_FILE, readBuildMetadata } from '../artifacts/metadata';
import { isDryRun } from '../config/dry-run';
import { planUnbuiltPublish } from './publish-plan';
import { PushDeps, pushBuiltImage, PushOptions, PushRequest } from '../push/push-built-image';
import { PushResult } from '../push/push';
import { builtVersionMismatch, decidePublishVersion, ReleasePublishInput } from './publish-version';
import { PYPROJECT } from './pyproject-version-actions';
import type { AttestationPolicyOptions } from '../config/options';
import { openSession, resolveImageTargets } from '../registry/connect';
import { enforceAttestationPolicy } from './attestation-policy';

/** The nx-release-publish executor's options (its zod schema sits beside the executor). */
export type ReleasePublishOptions = Omit<PushOptions, 'version' | 'releaseVersion'> &
  ReleasePublishInput['npmOptions'] & {
    nxReleaseVersionData?: ReleasePublishInput['versionData'];
    firstRelease?: boolean;
    verbose?: boolean;
    requireAttestations?: AttestationPolicyOptions;
  };

export interface ReleasePublishRequest extends Omit<PushRequest, 'options'> {
  projectRoot: string;
  options: ReleasePublishOptions;
}

export type ReleasePublishOutcome =
  { published: true; version: string; result: PushResult } | { published: false; reason: string };

export async function publishRelease(req: ReleasePublishRequest, deps: PushDeps = {}): Promise<ReleasePublishOutcome> {
  const env = deps.env ?? process.env;
  const log = deps.log ?? ((l: string) => console.log(l));
  const {
    nxReleaseVersionData,
    firstRelease: _first,
    verbose: _verbose,
    tag,
    otp,
    access,
    requireAttestations,
    ...push
  } = req.options;
  // nx release sets NX_DRY_RUN as well as --dryRun, for publish tasks started indirectly.
  const dryRun = isDryRun(push, env);
  const file = join(req.projectRoot, PYPROJECT);
  const path = join(req.workspaceRoot, file);
  const decision = decidePublishVersion({
    project: req.project,
    versionData: nxReleaseVersionData,
    pyproject: { file, text: existsSync(path) ? readFileSync(path, 'utf8') : null },
    npmOptions: { tag, otp, access },
  });
  if (!decision.publish) {
    log(`nothing to publish: ${decision.reason}`);
    return { published: false, reason: decision.reason };
  }
  const options = { ...push, dryRun, releaseVersion: decision.version };
  // A dry run's build only planned (nx release --dry-run): no image of this version exists to push by digest.
  const built = existsSync(join(req.workspaceRoot, push.outputPath, METADATA_FILE));
  const metadata = built || !dryRun ? readBuildMetadata(req.workspaceRoot, push.outputPath) : undefined;
  const where = { outputPath: push.outputPath, project: req.project };
  const mismatch = metadata
    ? builtVersionMismatch(metadata.version, decision.version, where)
    : `${push.outputPath}/${METADATA_FILE} not written (its build only planned)`;
  if (mismatch && !dryRun) throw new Error(mismatch);
  log(`${dryRun ? '[dry-run] ' : ''}release ${decision.version} (from ${decision.source}): tags onto the built image`);
  if (mismatch) {
    const tags = await planUnbuiltPublish({ ...req, options }, mismatch, { ...deps, env, log });
    return { published: false, reason: `dry run: ${decision.version} not built yet; tags ${tags.join(', ')}` };
  }
  if (requireAttestations && metadata)
    await checkPublishPolicy({ ...req, options }, metadata.index.digest, requireAttestations, { ...deps, env, log });
  const result = await pushBuiltImage({ ...req, options }, deps);
  return { published: true, version: decision.version, result };
}

/**
 * requireAttestations: the built index must already be in each registry with verified bundles attached (CI's push
 * job attests it by digest) before a version tag names it; nothing is pushed otherwise.
 */
async function checkPublishPolicy(
  req: Omit<PushRequest, 'options'> & { options: PushOptions },
  digest: string,
  policy: AttestationPolicyOptions,
  deps: PushDeps & { env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
  for (const target of resolveImageTargets(req.options, req.project, deps.env)) {
    const session = await openSession(target, req.options, deps.env, deps, deps.log);
    await enforceAttestationPolicy(session.client, target, [digest], {
      policy,
      workspaceRoot: req.workspaceRoot,
      dryRun: !!req.options.dryRun,
      say: session.say,
    });
  }
}

/**
 * The nx-release-publish use case: the release's version (publish-version.ts), a check that the build output was
 * built from it, then the ordinary push by digest with that version as the release (semver tags by the tag
 * rules). Blobs and manifests the registry already has are skipped, so a pushed image only gains tags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildMetadata } from '../artifacts/metadata';
import { PushDeps, pushBuiltImage, PushOptions, PushRequest } from '../push/push-built-image';
import { PushResult } from '../push/push';
import { builtVersionMismatch, decidePublishVersion, ReleasePublishInput } from './publish-version';
import { PYPROJECT } from './pyproject-version-actions';

/** The nx-release-publish executor's options (its zod schema sits beside the executor). */
export type ReleasePublishOptions = Omit<PushOptions, 'version' | 'releaseVersion'> &
  ReleasePublishInput['npmOptions'] & {
    nxReleaseVersionData?: ReleasePublishInput['versionData'];
    firstRelease?: boolean;
    verbose?: boolean;
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
  const { nxReleaseVersionData, firstRelease: _first, verbose: _verbose, tag, otp, access, ...push } = req.options;
  // nx release sets NX_DRY_RUN as well as --dryRun, for publish tasks started indirectly.
  const dryRun = push.dryRun || env.NX_DRY_RUN === 'true';
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
  const metadata = readBuildMetadata(req.workspaceRoot, push.outputPath);
  const mismatch = builtVersionMismatch(metadata.version, decision.version, {
    outputPath: push.outputPath,
    project: req.project,
  });
  if (mismatch && !dryRun) throw new Error(mismatch);
  if (mismatch) log(`[dry-run] note: ${mismatch}`);
  log(`${dryRun ? '[dry-run] ' : ''}release ${decision.version} (from ${decision.source}): tags onto the built image`);
  const options = { ...push, dryRun, releaseVersion: decision.version };
  const result = await pushBuiltImage({ ...req, options }, deps);
  return { published: true, version: decision.version, result };
}

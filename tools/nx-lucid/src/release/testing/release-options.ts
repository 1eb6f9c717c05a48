/** The release options the release specs start from (the executor schema's defaults, no retries, not a dry run). */
import type { ReleaseOptions } from '../run-release';

export const releaseOptions = (registry: string, over: Partial<ReleaseOptions> = {}): ReleaseOptions => ({
  registry,
  repository: 'hamigames/lucid',
  insecureRegistries: [registry],
  force: false,
  deleteVia: 'registry',
  githubApiUrl: 'https://api.github.com',
  githubOwnerType: 'auto',
  passwordStdin: false,
  retries: 0,
  dryRun: false,
  ...over,
});

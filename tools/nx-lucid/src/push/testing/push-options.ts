/** The push options the push specs start from (the executor schema's defaults, a fixed commit, no retries). */
import { DEFAULT_TAG_RULES } from '../../config/tag-rules';
import type { PushOptions } from '../push-request';

export const pushOptions = (outputPath: string, over: Partial<PushOptions> = {}): PushOptions => ({
  outputPath,
  repository: 'hamigames/lucid',
  insecureRegistries: [],
  latestOnBranch: 'main',
  latest: 'auto',
  versionTag: true,
  tags: DEFAULT_TAG_RULES,
  sha: 'c'.repeat(40),
  phaseTagPrefix: 'phase:',
  mountFrom: [],
  passwordStdin: false,
  retries: 0,
  dryRun: false,
  ...over,
});

import { z } from 'zod';
import { DEFAULT_TRIVY_VERSION, isCompromisedTrivy } from '../../../ci/input';
import { PRUNE_CRON } from '../../../ci/prune';

export const title = 'CI workflows generator';
export const description =
  'Write .github/workflows/containers.yml (push: build → scan → push per affected phase), containers-pr.yml (pull requests: build, scan, verify; never push), containers-rescan.yml (daily re-scan of every published latest), containers-release.yml (nx release publish on <project>@<version> tags), containers-prune.yml (weekly registry prune with the nx.json retention policy; dry run on pull requests) and the github-actions entry of .github/dependabot.yml, from the phase tags of the container services.';

export const schema = z
  .object({
    phases: z
      .union([
        z.array(z.number().int().positive()),
        z.number().int().positive(),
        z.string().regex(/^[1-9][0-9]*(,[1-9][0-9]*)*$/, 'comma-separated phase numbers, e.g. 1,3'),
      ])
      .optional()
      .describe(
        'Build only these phases, e.g. 1,3, checked again when the workflow runs (default: every phase and the untagged shard).',
      ),
    parallel: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(3)
      .describe('Upper bound of `nx --parallel` per phase job (each job uses at most its own service count).'),
    sequentialPhases: z
      .boolean()
      .default(false)
      .describe(
        'Run the phases one after another (one job per phase with needs:) instead of as parallel matrix shards.',
      ),
    arm64: z
      .enum(['qemu', 'native'])
      .default('qemu')
      .describe('arm64 images through QEMU on the amd64 runner, or built natively on arm64 runners.'),
    runner: z.string().min(1).default('ubuntu-24.04').describe('Runner label for amd64 jobs.'),
    arm64Runner: z
      .string()
      .min(1)
      .default('ubuntu-24.04-arm')
      .describe('Runner label for native arm64 jobs (--arm64=native).'),
    nodeVersion: z
      .string()
      .regex(/^[0-9]+(\.[0-9]+){0,2}$/, 'a Node version such as 20 or 20.19')
      .default('24')
      .describe('Node version for actions/setup-node (default 24: an LTS line, supported until 2028-04-30).'),
    affected: z
      .enum(['inputs', 'nx'])
      .default('inputs')
      .describe(
        'inputs: Dockerfile-aware `lucid affected` (changes an image does not read build nothing); nx: `nx affected`.',
      ),
    trivyVersion: z
      .string()
      .regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'an explicit release vX.Y.Z (not latest)')
      .refine((v) => !isCompromisedTrivy(v), 'Trivy 0.69.4–0.69.6 are the compromised releases (GHSA-69fq-xp46-6x23)')
      .default(DEFAULT_TRIVY_VERSION)
      .describe('Trivy release installed by aquasecurity/setup-trivy: explicit, never 0.69.4–0.69.6 (compromised).'),
    remoteCache: z
      .enum(['auto', 'self-hosted', 'nx-cloud', 'none'])
      .default('auto')
      .describe(
        'Shared Nx cache for the phase jobs: auto (Nx Cloud when nx.json has nxCloudId/nxCloudAccessToken, else the self-hosted HTTP cache), self-hosted (NX_SELF_HOSTED_REMOTE_CACHE_SERVER from the repository variable of that name, tokens from secrets NX_CACHE_READ_TOKEN / NX_CACHE_READ_WRITE_TOKEN), nx-cloud, or none.',
      ),
    rescanCron: z
      .string()
      .regex(/^[0-9*/,-]+( [0-9*/,-]+){4}$/, 'a five-field cron expression')
      .default('17 4 * * *')
      .describe('UTC cron of the daily re-scan of the published images.'),
    pruneCron: z
      .string()
      .regex(/^[0-9*/,-]+( [0-9*/,-]+){4}$/, 'a five-field cron expression')
      .default(PRUNE_CRON)
      .describe(
        'UTC cron of containers-prune.yml: `lucid prune` with the retention policy of nx.json (weekly by default; a dry run on pull requests that change nx.json).',
      ),
  })
  .strict();

export type CiGeneratorOptions = z.infer<typeof schema>;

/** Boundary reads for a build: git, binfmt emulators, base image digests. Everything else in src/build is pure. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gitMaybe } from '../boundary/git';
import { runProcess } from '../boundary/process';
import { sha256Digest } from '../oci/digest';

export interface GitInfo {
  sha: string | null;
  /** Commit time, unix seconds (0 outside a git checkout, so builds stay reproducible). */
  commitTime: number;
  remote: string | null;
}

export async function readGitInfo(cwd: string): Promise<GitInfo> {
  const git = async (args: string[]) => (await gitMaybe(cwd, args)) ?? null;
  const sha = await git(['rev-parse', '--verify', '-q', 'HEAD']);
  const time = sha ? await git(['log', '-1', '--format=%ct', sha]) : null;
  const remote = sha ? await git(['remote', 'get-url', 'origin']) : null;
  return {
    sha: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null,
    commitTime: time ? Number(time) : 0,
    remote: remote || null,
  };
}

/** binfmt_misc entries that are registered and enabled, e.g. qemu-aarch64. */
export function registeredEmulators(dir = '/proc/sys/fs/binfmt_misc'): Set<string> {
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'register' || name === 'status') continue;
    try {
      if (readFileSync(`${dir}/${name}`, 'utf8').split('\n')[0].trim() === 'enabled') out.add(name);
    } catch {
      /* unreadable entry: not usable */
    }
  }
  return out;
}

/** The digest of what a reference points at now (for an index, the index digest), via skopeo. */
export async function resolveDigest(ref: string, insecure: boolean, timeoutMs = 30000): Promise<string> {
  const r = await runProcess(
    'skopeo',
    ['inspect', '--raw', '--retry-times', '0', ...(insecure ? ['--tls-verify=false'] : []), `docker://${ref}`],
    { timeoutMs },
  );
  // --raw prints the manifest bytes exactly as served: their sha256 is the digest the registry addresses.
  return sha256Digest(Buffer.from(r.stdout, 'utf8'));
}

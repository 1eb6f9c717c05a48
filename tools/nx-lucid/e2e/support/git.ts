import { runProcess } from '../../src/boundary/process';

/** A committer identity of its own, so a test's commits never depend on (or sign with) the machine's git config. */
const IDENTITY = ['-c', 'user.name=lucid-test', '-c', 'user.email=test@lucid.invalid', '-c', 'commit.gpgsign=false'];

/**
 * git in a test repository: `git(args)` returns trimmed stdout (throws on failure), `commit(message)` stages
 * everything and returns the new commit's sha. `cwd` may be a function for repositories made after this is called.
 */
export function testGit(cwd: string | (() => string)) {
  const git = async (args: string[]): Promise<string> =>
    (await runProcess('git', [...IDENTITY, ...args], { cwd: typeof cwd === 'function' ? cwd() : cwd })).stdout.trim();
  const commit = async (message: string, ...flags: string[]): Promise<string> => {
    await git(['add', '-A']);
    await git(['commit', '-q', ...flags, '-m', message]);
    return git(['rev-parse', 'HEAD']);
  };
  return { git, commit };
}

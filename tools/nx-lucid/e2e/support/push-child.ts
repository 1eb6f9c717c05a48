/**
 * A separate push process (as a parallel Nx task or a second terminal would be): each stdin line is a release
 * version to push the given build output as; each result is one JSON line on stdout.
 */
import { createInterface } from 'node:readline';
import { runPush } from '../../src/nx/executors/push/executor';
import { executorContext } from './registry-check';

const [root, outputPath, project, registry] = process.argv.slice(2);
const env = { ...process.env, GITHUB_SHA: undefined, GITHUB_REF_NAME: undefined, GHCR_TOKEN: undefined };
createInterface({ input: process.stdin }).on('line', (version) => {
  const options = { outputPath, registry, repository: 'hamigames/lucid', sha: 'c'.repeat(40), releaseVersion: version };
  runPush(options, executorContext(root, project), { env, log: () => undefined }).then(
    (r) => process.stdout.write(`${JSON.stringify({ version, ok: true, digest: r.digest })}\n`),
    (e: Error) => process.stdout.write(`${JSON.stringify({ version, ok: false, error: e.message })}\n`),
  );
});

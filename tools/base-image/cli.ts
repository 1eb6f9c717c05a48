/**
 * Builds the distroless stand-in and pushes it to a mirror registry.
 *   node -r @swc-node/register tools/base-image/cli.ts --registry 127.0.0.1:5055 [--refresh] [--dry-run]
 * The main job (tools/main-job/main.ts) calls ensureBaseImage directly; this is for running it alone.
 */
import { ensureBaseImage } from './build';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const registry = arg('--registry') ?? `127.0.0.1:${process.env.LUCID_LOCAL_REGISTRY_PORT || 5055}`;
  const started = performance.now();
  const result = await ensureBaseImage({
    workspaceRoot: process.cwd(),
    registry,
    refresh: process.argv.includes('--refresh'),
    dryRun: process.argv.includes('--dry-run'),
  });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const steps = Object.entries(result.timings)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`)
    .join(', ');
  console.log(
    `base-image: ${result.action} ${result.ref} ${result.digest} [${result.platforms.join(', ')}] in ${secs}s (${steps})`,
  );
}

main().catch((e: Error) => {
  console.error(`base-image: ${e.message}`);
  process.exit(1);
});

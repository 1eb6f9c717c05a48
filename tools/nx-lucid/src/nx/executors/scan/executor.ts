import type { ExecutorContext } from '@nx/devkit';
import { defaultScanDeps, scanImage } from '../../../scan/scan-image';
import { isDryRun } from '../../../config/dry-run';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

// The gate's report lines go to stdout/stderr unprefixed (see defaultScanDeps); so does a failure.
const sinks = { info: (l: string) => defaultScanDeps().log(l), error: (l: string) => defaultScanDeps().logError(l) };
const spec: ExecutorSpec<typeof schema> = { name: 'scan', schema, project: 'named', sinks };

export default async function scanExecutor(
  rawOptions: unknown,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, (run) =>
    scanImage({ ...run, options: { ...run.options, dryRun: isDryRun(run.options, run.env) } }, defaultScanDeps()),
  );
}

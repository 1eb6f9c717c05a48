import type { ExecutorContext } from '@nx/devkit';
import { defaultScanDeps, scanImage } from '../../scan/scan-image';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

export { DB_DIR_ENV } from '../../scan/scan-image';

// The gate's report lines go to stdout/stderr unprefixed (see defaultScanDeps); so does a failure.
const deps = defaultScanDeps;
const spec: ExecutorSpec<typeof schema> = { name: 'scan', schema, project: 'named', sinks: { info: (l) => deps().log(l), error: (l) => deps().logError(l) } };

export default async function scanExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, (run) => scanImage(run, deps()));
}

import type { ExecutorContext } from '@nx/devkit';
import { dryRunLines, executeBuild, prepareBuild } from '../../image-build/build';
import { ExecutorSpec, runExecutor } from '../run-executor';
import { schema } from './options';

const spec: ExecutorSpec<typeof schema> = { name: 'build', schema, project: 'named' };

export default async function buildExecutor(rawOptions: unknown, context: ExecutorContext): Promise<{ success: boolean }> {
  return runExecutor(spec, rawOptions, context, async (run) => {
    const { options, project, workspaceRoot } = run;
    const request = { workspaceRoot, project, projectRoot: run.projectRoot, tags: run.tags, options, env: run.env, log: run.log };
    const prepared = await prepareBuild(request);
    if (options.dryRun) {
      run.print(`[dry-run] ${project}: would run (cwd ${workspaceRoot}):`);
      for (const line of dryRunLines(prepared)) run.print(line);
      run.print(`[dry-run] then assemble ${options.outputPath}/oci and write ${options.outputPath}/metadata.json; nothing was built`);
      return true;
    }
    const metadata = await executeBuild(request, prepared);
    run.log(
      `✔ ${metadata.image}@${metadata.index.digest} (${metadata.manifests.length} platform(s), ${metadata.compressedSize} bytes) → ${options.outputPath}`,
    );
    return true;
  });
}

/** The base image of the final stage, resolved to a digest and pinned through its ARG (or recorded when literal). */
import { BuildInputError } from './build-error';
import type { PreparedBuild } from './build-request';
import { briefly } from './dry-run';
import { resolveDigest } from './environment';
import { pinnedReference, planBaseImage } from './plan';
import type { BasePull } from './slim';

type Stages = Parameters<typeof planBaseImage>[0];

export async function pinBaseImage(
  stages: Stages,
  config: {
    buildArgs: Record<string, string>;
    registryMirrors: Parameters<typeof planBaseImage>[1];
    insecureRegistries: string[];
    dryRun: boolean;
  },
  ctx: { project: string; log: (line: string) => void; unresolved: string[] },
): Promise<{ buildArgs: Record<string, string>; base: PreparedBuild['base']; basePull?: BasePull }> {
  const buildArgs = { ...config.buildArgs };
  const basePlan = planBaseImage(stages, config.registryMirrors, config.insecureRegistries);
  let base: PreparedBuild['base'] = null;
  let basePull: BasePull | undefined;
  if (basePlan) {
    let digest: string | null = null;
    try {
      digest = await resolveDigest(basePlan.pullRef, basePlan.insecure);
    } catch (e) {
      const why = `base image ${basePlan.pullRef} could not be resolved to a digest (is the registry reachable? registryMirrors / LUCID_REGISTRY_MIRRORS can point at a mirror; npm start runs a local one): ${(e as Error).message}`;
      if (!config.dryRun) throw new BuildInputError(ctx.project, [why]);
      ctx.unresolved.push(
        `${briefly(why)}; the build passes it pinned as ${basePlan.viaArg ?? 'FROM'} ${basePlan.pullRef.replace(/:[^:/@]+$/, '')}@<digest>, shown here by tag`,
      );
    }
    base = { ref: basePlan.ref, digest };
    basePull = digest
      ? { ref: basePlan.ref, pullRef: basePlan.pullRef, digest, insecure: basePlan.insecure }
      : undefined;
    if (!digest) {
      if (basePlan.viaArg) buildArgs[basePlan.viaArg] = basePlan.pullRef;
    } else if (basePlan.viaArg) {
      buildArgs[basePlan.viaArg] = pinnedReference(basePlan.pullRef, digest);
      ctx.log(`base ${basePlan.ref} → ${buildArgs[basePlan.viaArg]}`);
    } else {
      // A literal FROM cannot be swapped from outside; the digest is still recorded and hashed.
      ctx.log(
        `base ${basePlan.ref} is written literally in FROM, so it is not pinned (use ARG BASE_IMAGE); resolved ${digest}`,
      );
    }
  }
  return { buildArgs, base, basePull };
}

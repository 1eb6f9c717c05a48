import { join } from 'node:path';
import {
  commonBuildFlags,
  Engine,
  EngineBuildPlan,
  EngineCommand,
  EngineName,
  firstVersion,
  keyValueFlags,
} from './engine';
import { buildahFailureSite } from './failure-site';

/** The manifest list the build adds each platform's image to (local to the private storage). */
export const LIST_NAME = 'lucid-build';
/** Name of the image inside the staging layout. */
export const STAGING_REF = 'build';

/**
 * buildah and podman share one flow (podman build is buildah inside): a daemonless multi-platform build into a
 * manifest list in private overlay storage, then `manifest push --all --format oci` into an OCI layout
 * (buildah 1.28 has no --output type=oci).
 */
function daemonless(name: Extract<EngineName, 'buildah' | 'podman'>): Engine {
  const storage = (plan: EngineBuildPlan) => [
    '--root',
    join(plan.storageDir, 'root'),
    '--runroot',
    join(plan.storageDir, 'runroot'),
    '--storage-driver',
    'overlay',
  ];
  const layoutDir = (plan: EngineBuildPlan) => join(plan.stagingDir, name);
  return {
    name,
    buildCommands(plan: EngineBuildPlan): EngineCommand[] {
      // Pulls of the base image: plain HTTP for a local mirror. One flag covers every registry of the build.
      const tls = plan.insecureRegistries.length ? ['--tls-verify=false'] : [];
      const build: EngineCommand = {
        command: name,
        label: `${name} build ${plan.platforms.join(' + ')}`,
        args: [
          ...storage(plan),
          'build',
          '--isolation',
          'chroot',
          '--platform',
          plan.platforms.join(','),
          '--manifest',
          LIST_NAME,
          '--timestamp',
          String(plan.timestamp),
          '--format',
          'oci',
          ...tls,
          ...keyValueFlags('--label', plan.labels),
          ...keyValueFlags('--build-arg', plan.buildArgs),
          ...commonBuildFlags(plan),
          ...(plan.ignoreFile ? ['--ignorefile', plan.ignoreFile] : []),
          '-f',
          plan.dockerfile,
          plan.context,
        ],
        // Mirrors and short names: the pulls read this file instead of the machine's registries.conf.
        ...(plan.registriesConf ? { env: { CONTAINERS_REGISTRIES_CONF: plan.registriesConf } } : {}),
      };
      const push: EngineCommand = {
        command: name,
        label: `${name} manifest push → OCI layout`,
        args: [
          ...storage(plan),
          'manifest',
          'push',
          '--all',
          '--format',
          'oci',
          LIST_NAME,
          `oci:${layoutDir(plan)}:${STAGING_REF}`,
        ],
      };
      return [build, push];
    },
    outputs: (plan) => [{ layoutDir: layoutDir(plan), platforms: plan.platforms }],
    versionCommand: () => ({ command: name, args: ['--version'], label: `${name} --version` }),
    parseVersion: firstVersion,
    failureSite: buildahFailureSite,
  };
}

export const buildahEngine = daemonless('buildah');
export const podmanEngine = daemonless('podman');

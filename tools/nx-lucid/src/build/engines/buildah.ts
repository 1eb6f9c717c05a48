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

/** The manifest list the build adds each platform's image to, when the plan names none. */
export const LIST_NAME = 'lucid-build';
/** Name of the image inside the staging layout. */
export const STAGING_REF = 'build';

/** The store the build uses: the workspace's shared one, or a private one for a retry. */
const storage = (plan: EngineBuildPlan) => [
  '--root',
  join(plan.storageDir, 'root'),
  '--runroot',
  join(plan.storageDir, 'runroot'),
  '--storage-driver',
  'overlay',
];
const list = (plan: EngineBuildPlan) => plan.manifestList ?? LIST_NAME;

/** The list first (rmi does not take a list), then the platform images (image id = config digest). */
function cleanupCommands(name: string, plan: EngineBuildPlan, imageIds: string[]): EngineCommand[] {
  const rmList = {
    command: name,
    label: `${name} manifest rm (this build's list)`,
    args: [...storage(plan), 'manifest', 'rm', list(plan)],
  };
  if (!imageIds.length) return [rmList];
  const ids = imageIds.map((d) => d.replace(/^sha256:/, ''));
  return [
    rmList,
    { command: name, label: `${name} rmi (this build's images)`, args: [...storage(plan), 'rmi', ...ids] },
  ];
}

/**
 * buildah and podman share one flow (podman build is buildah inside): a daemonless multi-platform build into a
 * manifest list in overlay storage, then `manifest push --all --format oci` into an OCI layout (buildah 1.28 has no
 * --output type=oci). The push compresses only the layers the layout lacks: build/base-seed.ts puts the base's
 * uncompressed layers there first (slim replaces them with the base's own blobs), so only the service's are.
 */
function daemonless(name: Extract<EngineName, 'buildah' | 'podman'>): Engine {
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
          list(plan),
          '--timestamp',
          String(plan.timestamp),
          '--format',
          'oci',
          // A base found in the shared store by digest alone is named differently in the image (history, the
          // base.name annotation) than a pulled one: always resolve it from the registry, as a fresh store did.
          // Its layers are in the store already, so only the manifests travel.
          '--pull=always',
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
          list(plan),
          `oci:${layoutDir(plan)}:${STAGING_REF}`,
        ],
      };
      return [build, push];
    },
    outputs: (plan) => [{ layoutDir: layoutDir(plan), platforms: plan.platforms }],
    cleanupCommands: (plan, imageIds) => cleanupCommands(name, plan, imageIds),
    versionCommand: () => ({ command: name, args: ['--version'], label: `${name} --version` }),
    parseVersion: firstVersion,
    failureSite: buildahFailureSite,
  };
}

export const buildahEngine = daemonless('buildah');
export const podmanEngine = daemonless('podman');

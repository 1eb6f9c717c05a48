import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import { isIndexMediaType, MediaType } from '../nx-lucid/src/oci/media-types';
import { RegistryClient } from '../nx-lucid/src/registry/client';
import { OciLayoutWriter } from '../nx-lucid/src/oci/layout-writer';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../nx-lucid/src/oci/types';
import { PrivateApt } from './apt';
import { packLayer } from './layer';
import {
  ALL_PACKAGES,
  ARCH_PACKAGES,
  BASE_IMAGE_MIRROR_PATH,
  BASE_IMAGE_REF,
  BASE_IMAGE_TAG,
  DEBIAN_SUITE,
  DebianPlatform,
  packageSetKey,
  PLATFORMS,
  ResolvedPackage,
  unsatisfiedDependencies,
} from './packages';
import { assembleRootfs, assertRootfs, runPythonInRootfs } from './rootfs';

export interface EnsureBaseOptions {
  workspaceRoot: string;
  /** Mirror registry host:port (plain HTTP), e.g. 127.0.0.1:5055 */
  registry: string;
  /** Re-resolve Debian packages even when the registry already has the base. */
  refresh?: boolean;
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface BaseImageResult {
  /** Where builds pull it from: <registry>/mirror/gcr.io/distroless/python3-debian12:nonroot */
  ref: string;
  digest: string;
  platforms: string[];
  /** skipped: the registry already had it; pushed-cached: built earlier, pushed now; built: built and pushed. */
  action: 'skipped' | 'pushed-cached' | 'built' | 'dry-run';
  timings: Record<string, number>;
}

/** The mirror path for gcr.io that LUCID_REGISTRY_MIRRORS points at: gcr.io=<registry>/mirror/gcr.io */
export function mirrorPrefix(registry: string): string {
  return `${registry}/mirror/gcr.io`;
}

export function baseImageMirrorRef(registry: string): string {
  return `${mirrorPrefix(registry)}/${BASE_IMAGE_MIRROR_PATH}:${BASE_IMAGE_TAG}`;
}

/** Reads the tag from the registry; returns its digest when it is an index with every platform we build. */
export async function registryHasBase(registry: string): Promise<{ digest: string; platforms: string[] } | undefined> {
  const repo = `mirror/gcr.io/${BASE_IMAGE_MIRROR_PATH}`;
  const client = new RegistryClient({ registry, timeoutMs: 10000, retry: { retries: 2 } });
  const head = await client.headManifest(repo, BASE_IMAGE_TAG);
  if (!head) return undefined;
  const manifest = await client.getManifest(repo, head.digest);
  if (!isIndexMediaType(manifest.mediaType)) return undefined;
  const body = JSON.parse(manifest.bytes.toString('utf8')) as ImageIndex;
  const platforms = (body.manifests ?? []).map((m) => `${m.platform?.os}/${m.platform?.architecture}`);
  const complete = PLATFORMS.every((p) => platforms.includes(`linux/${p.oci.architecture}`));
  return complete ? { digest: manifest.digest, platforms } : undefined;
}

function imageConfig(platform: DebianPlatform, diffId: string, packageKeyDigest: string): ImageConfig {
  return {
    architecture: platform.oci.architecture,
    os: 'linux',
    ...(platform.oci.variant ? { variant: platform.oci.variant } : {}),
    created: '1970-01-01T00:00:00Z',
    config: {
      User: '65532:65532',
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      ],
      Entrypoint: ['/usr/bin/python3.11'],
      WorkingDir: '/home/nonroot',
      Labels: { 'dev.lucid.base.stand-in-for': BASE_IMAGE_REF, 'dev.lucid.base.debian-packages': packageKeyDigest },
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [
      {
        created: '1970-01-01T00:00:00Z',
        created_by: `lucid base-image: Debian ${DEBIAN_SUITE} package contents (${packageKeyDigest})`,
      },
    ],
  };
}

const now = () => performance.now();

/**
 * Ensures the distroless stand-in is in the mirror registry as a two-platform index.
 * Warm path: the registry already has the tag with both platforms → nothing else runs.
 */
export async function ensureBaseImage(opts: EnsureBaseOptions): Promise<BaseImageResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const timings: Record<string, number> = {};
  const t0 = now();
  const ref = baseImageMirrorRef(opts.registry);
  const baseDir = join(opts.workspaceRoot, '.lucid', 'base');
  const apt = new PrivateApt(
    join(baseDir, 'apt'),
    PLATFORMS.map((p) => p.debArch),
  );
  const platforms = PLATFORMS.map((p) => `linux/${p.oci.architecture}`);

  if (opts.dryRun) {
    log(`base-image (dry run): would check ${ref} for an index with ${platforms.join(' + ')}; if absent:`);
    log(`  ${apt.describeUpdate()}`);
    log(
      `  resolve + apt-get download ${ARCH_PACKAGES.length} packages per architecture and ${ALL_PACKAGES.length} arch-independent: ${[...ARCH_PACKAGES, ...ALL_PACKAGES].join(' ')}`,
    );
    log(
      `  unpack them with dpkg-deb -x into one rootfs per platform (no scripts), strip shells/package managers, add nonroot 65532`,
    );
    log(`  pack each as one deterministic layer, write an OCI index under ${join(baseDir, '<key>', 'oci')}`);
    log(
      `  skopeo copy --all --preserve-digests --dest-tls-verify=false oci:<layout>:${BASE_IMAGE_TAG} docker://${ref}`,
    );
    return { ref, digest: '', platforms, action: 'dry-run', timings };
  }

  if (!opts.refresh) {
    const present = await registryHasBase(opts.registry);
    timings.check = now() - t0;
    if (present) {
      timings.total = now() - t0;
      return { ref, digest: present.digest, platforms: present.platforms, action: 'skipped', timings };
    }
  }

  // Resolve exact versions: they key the cache.
  let t = now();
  await apt.update();
  const perPlatform: Record<string, ResolvedPackage[]> = {};
  const allArch = await apt.resolve(ALL_PACKAGES, 'all');
  for (const p of PLATFORMS) perPlatform[p.debArch] = [...(await apt.resolve(ARCH_PACKAGES, p.debArch)), ...allArch];
  timings.resolve = now() - t;
  for (const p of PLATFORMS) {
    const gaps = unsatisfiedDependencies(perPlatform[p.debArch]);
    if (gaps.length)
      log(`base-image: warning: ${p.debArch} dependencies outside the distroless package set: ${gaps.join('; ')}`);
  }
  const keyDigest = createHash('sha256').update(packageSetKey(perPlatform)).digest('hex').slice(0, 16);
  const cacheDir = join(baseDir, keyDigest);
  const layoutDir = join(cacheDir, 'oci');
  const recordFile = join(cacheDir, 'base.json');

  let action: BaseImageResult['action'] = 'pushed-cached';
  if (!existsSync(recordFile)) {
    action = 'built';
    t = now();
    const debDir = join(baseDir, 'debs');
    const debs = await apt.download(
      [
        ...new Map(
          Object.values(perPlatform)
            .flat()
            .map((p) => [`${p.name}:${p.architecture}`, p]),
        ).values(),
      ],
      debDir,
    );
    timings.download = now() - t;

    const tmpLayout = `${layoutDir}.partial`;
    rmSync(tmpLayout, { recursive: true, force: true });
    const writer = new OciLayoutWriter(tmpLayout);
    const manifests: Descriptor[] = [];
    for (const platform of PLATFORMS) {
      t = now();
      const rootfs = join(cacheDir, `rootfs-${platform.debArch}`);
      await assembleRootfs(
        rootfs,
        perPlatform[platform.debArch].map((pkg) => ({ pkg, deb: debs.get(`${pkg.name}:${pkg.architecture}`)! })),
      );
      const check = assertRootfs(rootfs, platform);
      let ran = '';
      // Only the host's own architecture is executed; the other is checked by its ELF header (no emulation).
      const native =
        platform.oci.architecture === ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[hostArch()];
      // chroot needs root; without it the ELF check above is the only check.
      if (native && process.getuid?.() === 0) {
        ran = await runPythonInRootfs(rootfs);
      }
      log(
        `base-image: ${platform.debArch} rootfs ok (python ELF e_machine ${check.elfMachine}${ran ? `; ran as 65532: ${ran}` : ''})`,
      );
      timings[`rootfs-${platform.debArch}`] = now() - t;

      t = now();
      const layer = await packLayer(rootfs);
      const layerDesc = writer.putBlob(layer.data, MediaType.ociLayerGzip);
      const configDesc = writer.putJson(imageConfig(platform, layer.diffId, keyDigest), MediaType.ociConfig);
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: configDesc,
        layers: [layerDesc],
        annotations: { 'org.opencontainers.image.base.name': BASE_IMAGE_REF },
      };
      manifests.push(writer.putJson(manifest, MediaType.ociManifest, { platform: platform.oci }));
      timings[`layer-${platform.debArch}`] = now() - t;
      log(
        `base-image: ${platform.debArch} layer ${(layer.data.length / 1e6).toFixed(1)} MB (${layer.entries} entries)`,
      );
      rmSync(rootfs, { recursive: true, force: true });
    }
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests,
      annotations: { 'dev.lucid.base.stand-in-for': BASE_IMAGE_REF },
    };
    const indexDesc = writer.putJson(index, MediaType.ociIndex, {
      annotations: { 'org.opencontainers.image.ref.name': BASE_IMAGE_TAG },
    });
    writer.writeTopIndex([indexDesc]);
    rmSync(layoutDir, { recursive: true, force: true });
    renameSync(tmpLayout, layoutDir);
    writeFileSync(
      recordFile,
      JSON.stringify(
        { digest: indexDesc.digest, platforms, packages: packageSetKey(perPlatform).split('\n') },
        null,
        2,
      ) + '\n',
    );
  }
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { digest: string };

  t = now();
  await runProcess('skopeo', [
    'copy',
    '--all',
    '--preserve-digests',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layoutDir}:${BASE_IMAGE_TAG}`,
    `docker://${ref}`,
  ]);
  timings.push = now() - t;
  const pushed = await registryHasBase(opts.registry);
  if (!pushed || pushed.digest !== record.digest) {
    throw new Error(`after pushing, ${ref} is ${pushed?.digest ?? 'missing or incomplete'}; expected ${record.digest}`);
  }
  timings.total = now() - t0;
  return { ref, digest: record.digest, platforms, action, timings };
}

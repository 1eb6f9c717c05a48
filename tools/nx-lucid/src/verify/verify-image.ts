import type { OciLayout } from '../oci/layout';
import { isManifestMediaType } from '../oci/media-types';
import { imageConfigSchema, indexSchema, manifestSchema, platformString } from '../oci/types';
import {
  checkConfigPlatform,
  checkForbiddenPaths,
  checkLabels,
  checkPlatformsPresent,
  checkUser,
  Finding,
} from './checks';
import { LayeredFilesystem } from './filesystem';
import { layerEntriesOnce } from './layers';

export interface VerifyPolicy {
  /** Platforms the image must have, e.g. linux/amd64. */
  platforms: readonly string[];
  forbiddenPaths: readonly string[];
  requiredLabels: readonly string[];
  /** What org.opencontainers.image.source must point at, e.g. https://github.com/hamigames/lucid. */
  sourceRepository: string;
}

export interface PlatformReport {
  platform: string;
  manifest: string;
  config: string;
  user: string | null;
  layers: string[];
  /** Paths in the final filesystem (after whiteouts). */
  paths: number;
}

export interface VerifyReport {
  index: string;
  platforms: PlatformReport[];
  findings: Finding[];
}

/**
 * Checks every platform of the layout's image index offline: the final filesystem (layers applied
 * in order with whiteouts), the user, the labels, and that the index and configs agree on platforms.
 */
export async function verifyImage(layout: OciLayout, policy: VerifyPolicy): Promise<VerifyReport> {
  const indexDescriptor = layout.imageIndexDescriptor();
  const index = indexSchema.parse(layout.readJsonBlob(indexDescriptor.digest));
  const findings: Finding[] = [...checkPlatformsPresent(index.manifests, policy.platforms)];
  const platforms: PlatformReport[] = [];

  for (const descriptor of index.manifests) {
    // Attestations and other artifacts ride in the index with platform unknown/unknown; they are not images.
    if (!isManifestMediaType(descriptor.mediaType) || !descriptor.platform || descriptor.platform.os === 'unknown')
      continue;
    const platform = platformString(descriptor.platform);
    const manifest = manifestSchema.parse(layout.readJsonBlob(descriptor.digest));
    const configDigest = manifest.config.digest;
    const parsedConfig = imageConfigSchema.safeParse(layout.readJsonBlob(configDigest));
    if (!parsedConfig.success) {
      findings.push({
        check: 'layout',
        platform,
        config: configDigest,
        message: `the image config is not a valid OCI image config: ${parsedConfig.error.message}`,
      });
      continue;
    }
    const config = parsedConfig.data;
    findings.push(...checkConfigPlatform(descriptor.platform, config, configDigest));
    findings.push(...checkUser(config, platform, configDigest));
    findings.push(...checkLabels(config, policy.requiredLabels, policy.sourceRepository, platform, configDigest));

    const fs = new LayeredFilesystem();
    for (const layer of manifest.layers) {
      const read = () => layout.readBlob(layer.digest);
      fs.applyLayer(layer.digest, await layerEntriesOnce(layout.blobFile(layer.digest), layer.digest, read));
    }
    findings.push(...checkForbiddenPaths(fs, policy.forbiddenPaths, platform));
    platforms.push({
      platform,
      manifest: descriptor.digest,
      config: configDigest,
      user: config.config?.User ?? null,
      layers: manifest.layers.map((l) => l.digest),
      paths: fs.size,
    });
  }
  return { index: indexDescriptor.digest, platforms, findings };
}

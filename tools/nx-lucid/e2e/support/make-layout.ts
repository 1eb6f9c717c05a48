/**
 * A small multi-platform build output (OCI layout + metadata.json) made without a builder, so the push
 * and release tests do not depend on container-build: random layer bytes of a chosen size, a layer
 * shared by every platform (as a base image's would be), one manifest per platform, one image index.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildMetadata, METADATA_FILE } from '../../src/artifacts/metadata';
import { sha256Digest } from '../../src/oci/digest';
import { OciLayoutWriter } from '../../src/oci/layout-writer';
import { MediaType } from '../../src/oci/media-types';
import { Descriptor } from '../../src/oci/types';

export interface MadeLayout {
  /** Workspace root the executor is given (context.root). */
  root: string;
  /** dist/containers/<project>, relative to root. */
  outputPath: string;
  layoutDir: string;
  metadata: BuildMetadata;
}

export interface MakeLayoutOptions {
  project: string;
  root?: string;
  platforms?: string[];
  /** Bytes of each platform-specific layer. */
  layerBytes?: number;
  /** Bytes of the layer every platform shares. */
  sharedLayerBytes?: number;
  /** Reuse this shared layer (to model two services on one base image). */
  sharedLayer?: Buffer;
  version?: string;
  gitSha?: string | null;
  phase?: number | null;
  image?: string;
}

export function makeLayout(opts: MakeLayoutOptions): MadeLayout {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'lucid-push-'));
  const outputPath = `dist/containers/${opts.project}`;
  const layoutDir = join(root, outputPath, 'oci');
  mkdirSync(layoutDir, { recursive: true });
  const w = new OciLayoutWriter(layoutDir);
  const shared = opts.sharedLayer ?? randomBytes(opts.sharedLayerBytes ?? 4096);
  const sharedDesc = w.putBlob(shared, MediaType.ociLayerGzip);
  const manifests: BuildMetadata['manifests'] = [];
  const indexEntries: Descriptor[] = [];
  const blobSizes = new Map<string, number>([[sharedDesc.digest, sharedDesc.size]]);
  for (const p of opts.platforms ?? ['linux/amd64', 'linux/arm64']) {
    const [os, architecture, variant] = p.split('/');
    const layer = w.putBlob(randomBytes(opts.layerBytes ?? 16384), MediaType.ociLayerGzip);
    const config = w.putJson(
      {
        architecture,
        os,
        ...(variant ? { variant } : {}),
        config: { User: '65532:65532', Labels: { 'org.opencontainers.image.title': opts.project } },
        rootfs: {
          type: 'layers',
          diff_ids: [sha256Digest(`${sharedDesc.digest}-diff`), sha256Digest(`${layer.digest}-diff`)],
        },
      },
      MediaType.ociConfig,
    );
    const manifest = w.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [sharedDesc, layer] },
      MediaType.ociManifest,
    );
    const platform = { os, architecture, ...(variant ? { variant } : {}) };
    indexEntries.push({ ...manifest, platform });
    blobSizes.set(layer.digest, layer.size).set(config.digest, config.size);
    manifests.push({
      platform,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      configDigest: config.digest,
      compressedSize: sharedDesc.size + layer.size,
    });
  }
  const index = w.putJson(
    { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: indexEntries },
    MediaType.ociIndex,
  );
  w.writeTopIndex([index]);
  const metadata: BuildMetadata = {
    schemaVersion: 1,
    project: opts.project,
    phase: opts.phase === undefined ? 1 : opts.phase,
    image: opts.image ?? `ghcr.io/hamigames/lucid/${opts.project}`,
    version: opts.version ?? '1.0.0',
    gitSha: opts.gitSha === undefined ? 'f'.repeat(40) : opts.gitSha,
    layout: 'oci',
    index: { digest: index.digest, mediaType: index.mediaType, size: index.size },
    manifests,
    compressedSize: [...blobSizes.values()].reduce((a, b) => a + b, 0),
    labels: {},
    annotations: {},
    base: null,
    engine: { name: 'buildah', version: 'test-layout' },
    attestations: { provenance: false, sbom: false, manifests: [] },
  };
  writeFileSync(join(root, outputPath, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  return { root, outputPath, layoutDir, metadata };
}

/**
 * Small single-platform stand-in images for images that cannot be pulled here (python, distroless): one layer of
 * the given files, made without a builder and pushed with skopeo. A stand-in that must RUN gets the host's dash
 * as /bin/sh with the C library it needs (linux/amd64 hosts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { runProcess } from '../../src/boundary/process';
import { sha256Digest } from '../../src/oci/digest';
import { OciLayoutWriter } from '../../src/oci/layout-writer';
import { MediaType } from '../../src/oci/media-types';

export interface StandInFile {
  path: string;
  /** Absent: a directory. */
  content?: string | Buffer;
  mode?: number;
}

/** The host files a shell needs inside a chroot or container (Debian amd64 paths). */
export const HOST_SHELL = ['/bin/dash', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2'];

/** /bin/sh (the host's dash) and its libraries. */
export function shellFiles(): StandInFile[] {
  return [
    { path: 'bin/sh', content: readFileSync(HOST_SHELL[0]), mode: 0o755 },
    { path: 'lib/x86_64-linux-gnu/libc.so.6', content: readFileSync(HOST_SHELL[1]), mode: 0o755 },
    { path: 'lib64/ld-linux-x86-64.so.2', content: readFileSync(HOST_SHELL[2]), mode: 0o755 },
  ];
}

async function tarOf(files: StandInFile[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  const dirs = new Set<string>();
  const entry = (header: Parameters<typeof pack.entry>[0], body: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry(header, body, (e) => (e ? reject(e) : resolve())));
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length + (f.content === undefined ? 1 : 0); i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      await entry({ name: dir, type: 'directory', mode: 0o755, mtime: new Date(0) }, Buffer.alloc(0));
    }
    if (f.content === undefined) continue;
    const body = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
    await entry({ name: f.path, type: 'file', mode: f.mode ?? 0o644, size: body.length, mtime: new Date(0) }, body);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Pushes a linux/amd64 image index of one layer to host/repository:tag; returns the index digest. */
export async function pushStandIn(
  host: string,
  repository: string,
  tag: string,
  files: StandInFile[],
  config: { User?: string; Env?: string[] } = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-standin-'));
  try {
    const writer = new OciLayoutWriter(dir);
    const tar = await tarOf(files);
    const layer = writer.putBlob(gzipSync(tar), MediaType.ociLayerGzip);
    const imageConfig = writer.putJson(
      {
        architecture: 'amd64',
        os: 'linux',
        created: '1970-01-01T00:00:00Z',
        config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], ...config },
        rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
        history: [{ created: '1970-01-01T00:00:00Z', created_by: `lucid stand-in for ${repository}:${tag}` }],
      },
      MediaType.ociConfig,
    );
    const manifest = writer.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociManifest, config: imageConfig, layers: [layer] },
      MediaType.ociManifest,
      { platform: { architecture: 'amd64', os: 'linux' } },
    );
    const index = writer.putJson(
      { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [manifest] },
      MediaType.ociIndex,
    );
    writer.writeTopIndex([{ ...index, annotations: { 'org.opencontainers.image.ref.name': tag } }]);
    await runProcess('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${dir}:${tag}`,
      `docker://${host}/${repository}:${tag}`,
    ]);
    return index.digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

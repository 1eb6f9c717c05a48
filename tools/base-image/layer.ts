import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';

/** Fixed mtime for every entry (SOURCE_DATE_EPOCH = 0, as distroless uses), so the same rootfs gives the same digest. */
export const LAYER_MTIME = new Date(0);

export interface Layer {
  /** gzip-compressed tar */
  data: Buffer;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids) */
  diffId: string;
  entries: number;
}

/** Every path under root, sorted bytewise, parents before children. */
export function walkSorted(root: string, rel = ''): string[] {
  const out: string[] = [];
  const names = readdirSync(join(root, rel)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    out.push(path);
    if (lstatSync(join(root, path)).isDirectory()) out.push(...walkSorted(root, path));
  }
  return out;
}

/**
 * Packs a directory as one deterministic OCI layer: sorted entries, fixed mtime, numeric owners
 * from the filesystem (no user names), hard links kept as links, gzip without a timestamp.
 */
export async function packLayer(root: string): Promise<Layer> {
  const pack = tarPack();
  const gzip = createGzip({ level: 6 });
  const diff = createHash('sha256');
  const chunks: Buffer[] = [];
  pack.on('data', (d: unknown) => {
    diff.update(d as Buffer);
  });
  gzip.on('data', (d: Buffer) => chunks.push(d));
  const done = pipeline(pack, gzip);

  const seen = new Map<string, string>();
  let entries = 0;
  for (const path of walkSorted(root)) {
    const full = join(root, path);
    const st = lstatSync(full);
    const common = {
      name: path,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: LAYER_MTIME,
      uname: '',
      gname: '',
    };
    entries++;
    if (st.isDirectory()) {
      await entry(pack, { ...common, name: `${path}/`, type: 'directory' });
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...common, type: 'symlink', linkname: readlinkSync(full) });
    } else if (st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? seen.get(inode) : undefined;
      if (first) {
        await entry(pack, { ...common, type: 'link', linkname: first });
        continue;
      }
      if (st.nlink > 1) seen.set(inode, path);
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ ...common, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
        createReadStream(full).on('error', reject).pipe(sink);
      });
    } else {
      throw new Error(`${path}: devices, sockets and FIFOs do not belong in a base layer`);
    }
  }
  pack.finalize();
  await done;
  return { data: Buffer.concat(chunks), diffId: `sha256:${diff.digest('hex')}`, entries };
}

function entry(
  pack: ReturnType<typeof tarPack>,
  header: Parameters<ReturnType<typeof tarPack>['entry']>[0],
): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import {
  DebianPlatform,
  elfMachine,
  ETC_GROUP,
  ETC_NSSWITCH,
  ETC_PASSWD,
  FORBIDDEN_PATHS,
  NONROOT_UID,
  ResolvedPackage,
} from './packages';

/**
 * Assembles a distroless rootfs from .deb contents: unpack (dpkg-deb -x: files only, no maintainer
 * scripts, works for any architecture), record each package in /var/lib/dpkg/status.d like distroless
 * (so scanners see the packages), then do what the skipped scripts would have done that matters
 * (CA bundle), write users, and strip docs.
 */
export async function assembleRootfs(
  dir: string,
  packages: readonly { pkg: ResolvedPackage; deb: string }[],
): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const statusDir = join(dir, 'var/lib/dpkg/status.d');
  mkdirSync(statusDir, { recursive: true });
  for (const { pkg, deb } of packages) {
    await runProcess('dpkg-deb', ['-x', deb, dir]);
    const control = (await runProcess('dpkg-deb', ['-f', deb])).stdout;
    writeFileSync(join(statusDir, pkg.name), control.endsWith('\n') ? control : `${control}\n`);
  }

  // Shells and package managers: none of the packages ship one, but remove defensively.
  for (const p of FORBIDDEN_PATHS) rmSync(join(dir, p), { force: true, recursive: true });
  // dpkg's own database and apt's config have no place without dpkg/apt; status.d stays.
  for (const p of ['var/lib/dpkg/info', 'var/lib/dpkg/status', 'etc/apt', 'var/lib/apt', 'var/cache/apt']) {
    rmSync(join(dir, p), { force: true, recursive: true });
  }
  stripDocs(dir);

  // ca-certificates' postinst (update-ca-certificates) would build this bundle; distroless builds it too.
  const certRoot = join(dir, 'usr/share/ca-certificates');
  const certs = existsSync(certRoot)
    ? listFiles(certRoot)
        .filter((f) => f.endsWith('.crt'))
        .sort()
    : [];
  if (!certs.length)
    throw new Error('ca-certificates shipped no certificates; cannot build /etc/ssl/certs/ca-certificates.crt');
  mkdirSync(join(dir, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(
    join(dir, 'etc/ssl/certs/ca-certificates.crt'),
    certs.map((f) => readFileSync(f, 'utf8').trim() + '\n').join(''),
  );

  writeFileSync(join(dir, 'etc/passwd'), ETC_PASSWD);
  writeFileSync(join(dir, 'etc/group'), ETC_GROUP);
  writeFileSync(join(dir, 'etc/nsswitch.conf'), ETC_NSSWITCH);
  const home = join(dir, 'home/nonroot');
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o700);
  chownSync(home, NONROOT_UID, NONROOT_UID);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  // The runtime mounts /proc; a leftover symlink (debootstrap makes one) would break it.
  const proc = join(dir, 'proc');
  if (existsSync(proc) && lstatSync(proc).isSymbolicLink()) rmSync(proc);
  mkdirSync(proc, { recursive: true });
}

/** Keeps copyright files (licences must ship), drops manuals and other docs. */
function stripDocs(dir: string): void {
  for (const p of ['usr/share/man', 'usr/share/info', 'usr/share/lintian', 'usr/share/linda']) {
    rmSync(join(dir, p), { recursive: true, force: true });
  }
  const doc = join(dir, 'usr/share/doc');
  if (!existsSync(doc)) return;
  for (const pkg of readdirSync(doc)) {
    const pkgDir = join(doc, pkg);
    if (!lstatSync(pkgDir).isDirectory()) continue;
    for (const f of readdirSync(pkgDir))
      if (f !== 'copyright') rmSync(join(pkgDir, f), { recursive: true, force: true });
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

export interface RootfsCheck {
  python: string;
  elfMachine: number | undefined;
  forbiddenFound: string[];
}

/** Offline checks on a rootfs: which binary python3 is, its ELF machine, and no shell/package manager. */
export function inspectRootfs(dir: string): RootfsCheck {
  const python = realpathSync(join(dir, 'usr/bin/python3'));
  if (!python.startsWith(realpathSync(dir) + '/'))
    throw new Error(`usr/bin/python3 points outside the rootfs: ${python}`);
  const header = Buffer.alloc(64);
  const fd = openSync(python, 'r');
  try {
    readSync(fd, header, 0, 64, 0);
  } finally {
    closeSync(fd);
  }
  const forbiddenFound = FORBIDDEN_PATHS.filter((p) => {
    try {
      lstatSync(join(dir, p));
      return true;
    } catch {
      return false;
    }
  });
  return { python, elfMachine: elfMachine(header), forbiddenFound };
}

export function assertRootfs(dir: string, platform: DebianPlatform): RootfsCheck {
  const check = inspectRootfs(dir);
  if (check.elfMachine !== platform.elfMachine) {
    throw new Error(
      `${platform.debArch} rootfs: ${check.python} has ELF e_machine ${check.elfMachine ?? 'none (not ELF)'}, expected ${platform.elfMachine}`,
    );
  }
  if (check.forbiddenFound.length)
    throw new Error(`${platform.debArch} rootfs still contains ${check.forbiddenFound.join(', ')}`);
  return check;
}

/** Runs the rootfs's python on this machine (only for the host's own architecture: no emulation). */
export async function runPythonInRootfs(dir: string): Promise<string> {
  const { stdout } = await runProcess('chroot', [
    '--userspec=65532:65532',
    dir,
    '/usr/bin/python3',
    '-c',
    'import ssl, sqlite3, json, zlib, ctypes; print("python", __import__("sys").version.split()[0], ssl.OPENSSL_VERSION)',
  ]);
  return stdout.trim();
}

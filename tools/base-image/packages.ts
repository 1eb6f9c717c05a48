/**
 * What goes into the stand-in for gcr.io/distroless/python3-debian12:nonroot, and how it is checked.
 * Pure: no I/O here.
 *
 * Distroless assembles images from the *contents* of an explicit list of Debian packages (no
 * maintainer scripts, no dpkg, no shell). We do the same: the list below mirrors distroless's
 * base + cc + python3 package sets for Debian 12.
 */

export const BASE_IMAGE_REF = 'gcr.io/distroless/python3-debian12:nonroot';
/** Where the stand-in lives inside a mirror registry: <mirror>/<path>:<tag>. */
export const BASE_IMAGE_MIRROR_PATH = 'distroless/python3-debian12';
export const BASE_IMAGE_TAG = 'nonroot';
export const DEBIAN_SUITE = 'bookworm';
/** Bump when the assembly changes, so cached bases are rebuilt. */
export const ASSEMBLY_VERSION = 2;

/** Architecture-specific packages, fetched once per platform. */
export const ARCH_PACKAGES = [
  // distroless "base" / "cc"
  'base-files',
  'libc6',
  'libgcc-s1',
  'gcc-12-base',
  'libgomp1',
  'libstdc++6',
  'libssl3',
  // distroless "python3"
  'python3.11-minimal',
  'libpython3.11-minimal',
  'python3.11',
  'libpython3.11-stdlib',
  'python3-minimal',
  'python3',
  'libpython3-stdlib',
  'libbz2-1.0',
  'libcrypt1',
  'libdb5.3',
  'libexpat1',
  'libffi8',
  'liblzma5',
  'libncursesw6',
  'libnsl2',
  'libreadline8',
  'libsqlite3-0',
  'libtinfo6',
  'libtirpc3',
  'libgssapi-krb5-2',
  'libk5crypto3',
  'libkrb5-3',
  'libkrb5support0',
  'libkeyutils1',
  'libcom-err2',
  'libuuid1',
  'zlib1g',
] as const;

/** Architecture: all packages (same .deb for every platform). */
export const ALL_PACKAGES = ['netbase', 'tzdata', 'media-types', 'ca-certificates', 'libtirpc-common'] as const;

/**
 * Dependencies deliberately left out, as distroless does: they exist only to run maintainer
 * scripts or tools (dpkg, debconf, openssl CLI, perl) that a distroless image must not contain.
 */
export const EXCLUDED_DEPENDENCIES = new Set([
  'dpkg',
  'debconf',
  'debconf-2.0',
  'perl-base',
  'openssl',
  'install-info',
  'readline-common',
  'tar',
  'mime-support',
  // base-files pre-depends on awk only for its postinst.
  'awk',
]);

/** Paths (relative to the rootfs) that must not exist in a distroless image. */
export const FORBIDDEN_PATHS = [
  'bin/sh',
  'bin/bash',
  'bin/dash',
  'bin/busybox',
  'usr/bin/sh',
  'usr/bin/bash',
  'usr/bin/dash',
  'usr/bin/busybox',
  'usr/bin/apt',
  'usr/bin/apt-get',
  'usr/bin/dpkg',
  'usr/bin/dpkg-deb',
  'usr/bin/perl',
  'sbin/apk',
] as const;

export interface DebianPlatform {
  /** Debian architecture name. */
  debArch: 'amd64' | 'arm64';
  /** OCI platform. */
  oci: { os: 'linux'; architecture: 'amd64' | 'arm64'; variant?: string };
  /** ELF e_machine of the platform's binaries: EM_X86_64 = 62, EM_AARCH64 = 183. */
  elfMachine: number;
}

export const PLATFORMS: readonly DebianPlatform[] = [
  { debArch: 'amd64', oci: { os: 'linux', architecture: 'amd64' }, elfMachine: 62 },
  { debArch: 'arm64', oci: { os: 'linux', architecture: 'arm64', variant: 'v8' }, elfMachine: 183 },
];

/** One resolved package: what apt would fetch. */
export interface ResolvedPackage {
  name: string;
  version: string;
  /** Debian architecture of the .deb: amd64, arm64 or all. */
  architecture: string;
  depends: string[];
}

/** "libc6 (>= 2.34), media-types | mime-support" -> [["libc6"], ["media-types", "mime-support"]] */
export function parseDependsField(field: string | undefined): string[][] {
  if (!field?.trim()) return [];
  return field.split(',').map((clause) =>
    clause
      .split('|')
      .map((alt) =>
        alt
          .trim()
          .replace(/\s*\(.*?\)/, '')
          .replace(/\s*\[.*?\]/, '')
          .replace(/:(any|native)$/, '')
          .trim(),
      )
      .filter(Boolean),
  );
}

/**
 * Dependencies that no package in the set satisfies and that are not deliberately excluded:
 * catches a Debian update that adds a library python needs.
 */
export function unsatisfiedDependencies(packages: readonly ResolvedPackage[]): string[] {
  const present = new Set(packages.map((p) => p.name));
  const missing = new Set<string>();
  for (const p of packages) {
    for (const alternatives of parseDependsField(p.depends.join(', '))) {
      if (alternatives.some((a) => present.has(a) || EXCLUDED_DEPENDENCIES.has(a))) continue;
      missing.add(`${p.name} -> ${alternatives.join(' | ')}`);
    }
  }
  return [...missing].sort();
}

/** Splits a Debian control file (or apt-cache show output) into field maps, one per stanza. */
export function parseControlStanzas(text: string): Array<Record<string, string>> {
  const stanzas: Array<Record<string, string>> = [];
  for (const block of text.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    let last: string | undefined;
    for (const line of block.split('\n')) {
      if (!line.trim()) continue;
      if (/^\s/.test(line) && last) fields[last] += `\n${line}`;
      else {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        last = line.slice(0, i);
        fields[last] = line.slice(i + 1).trim();
      }
    }
    if (Object.keys(fields).length) stanzas.push(fields);
  }
  return stanzas;
}

/** /etc/passwd and /etc/group as distroless writes them (root, nobody, nonroot 65532). */
export const ETC_PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  '',
].join('\n');
export const ETC_GROUP = ['root:x:0:', 'nobody:x:65534:', 'tty:x:5:', 'staff:x:50:', 'nonroot:x:65532:', ''].join('\n');
export const ETC_NSSWITCH = [
  'passwd:         files',
  'group:          files',
  'shadow:         files',
  'hosts:          files dns',
  'networks:       files',
  'protocols:      files',
  'services:       files',
  'ethers:         files',
  'rpc:            files',
  '',
].join('\n');

export const NONROOT_UID = 65532;

/** Reads e_machine from an ELF header; undefined when the bytes are not an ELF file. */
export function elfMachine(header: Buffer): number | undefined {
  if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  // EI_DATA (byte 5): 1 = little-endian, 2 = big-endian.
  return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
}

/** Cache key of a base: the exact package versions per platform and the assembly version. */
export function packageSetKey(perPlatform: Record<string, readonly ResolvedPackage[]>): string {
  const lines = [`assembly ${ASSEMBLY_VERSION}`];
  for (const platform of Object.keys(perPlatform).sort()) {
    for (const p of [...perPlatform[platform]].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`${platform} ${p.name}:${p.architecture}=${p.version}`);
    }
  }
  return lines.join('\n');
}

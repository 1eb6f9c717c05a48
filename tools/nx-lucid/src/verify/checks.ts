import type { Descriptor, ImageConfig, Platform } from '../oci/types';
import { platformString } from '../oci/types';
import type { LayeredFilesystem } from './filesystem';

/** Shells and package managers a distroless image must not contain (absolute paths in the image). */
export const DEFAULT_FORBIDDEN_PATHS = [
  '/bin/sh',
  '/bin/bash',
  '/bin/dash',
  '/bin/ash',
  '/bin/zsh',
  '/bin/busybox',
  '/usr/bin/sh',
  '/usr/bin/bash',
  '/usr/bin/dash',
  '/usr/bin/busybox',
  '/usr/bin/apt',
  '/usr/bin/apt-get',
  '/usr/bin/dpkg',
  '/usr/bin/apk',
  '/sbin/apk',
  '/usr/bin/yum',
  '/usr/bin/dnf',
  '/usr/bin/microdnf',
  '/usr/bin/rpm',
  '/usr/bin/pip',
  '/usr/bin/pip3',
  '/usr/local/bin/pip',
  '/usr/local/bin/pip3',
];

export const DEFAULT_REQUIRED_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.version',
  'org.opencontainers.image.created',
  'org.opencontainers.image.title',
];

export const SOURCE_LABEL = 'org.opencontainers.image.source';

export type FindingCheck = 'forbidden-path' | 'user' | 'label' | 'platform-missing' | 'platform-mismatch' | 'layout';

export interface Finding {
  check: FindingCheck;
  /** os/arch[/variant] the finding is about, when it is about one platform. */
  platform?: string;
  /** The layer that put the path there, for filesystem findings. */
  layer?: string;
  /** The image manifest / config, for config findings. */
  manifest?: string;
  config?: string;
  path?: string;
  message: string;
}

/** One line a person reads: platform, layer or config digest, path, then what is wrong. */
export function formatFinding(f: Finding): string {
  const where = [
    f.platform ? `[${f.platform}]` : '[index]',
    f.layer ? `layer ${f.layer}` : f.config ? `config ${f.config}` : f.manifest ? `manifest ${f.manifest}` : '',
    f.path ?? '',
  ].filter(Boolean);
  return `${where.join(' ')}: ${f.message}`;
}

/** Shells and package managers left in the final filesystem. */
export function checkForbiddenPaths(fs: LayeredFilesystem, forbidden: readonly string[], platform: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const path of forbidden) {
    const hit = fs.lookup(path);
    if (!hit || hit.entry.kind === 'directory') continue;
    // /bin -> usr/bin makes /bin/sh and /usr/bin/sh the same file: report it once.
    if (seen.has(hit.resolvedPath)) continue;
    seen.add(hit.resolvedPath);
    const resolved =
      hit.resolvedPath !== path
        ? ` (resolves to ${hit.resolvedPath} via ${hit.via.map((v) => `${v.path} -> ${v.linkname}`).join(', ')})`
        : '';
    const what =
      hit.entry.kind === 'symlink'
        ? `a symlink to ${hit.entry.linkname}`
        : hit.entry.kind === 'hardlink'
          ? `a hard link to ${hit.entry.linkname}`
          : `a ${hit.entry.kind}`;
    findings.push({
      check: 'forbidden-path',
      platform,
      layer: hit.entry.layer,
      path,
      message: `shell or package manager present in the final filesystem: ${path} is ${what}${resolved}`,
    });
  }
  return findings;
}

/** User must be set and not root: "0", "root", "0:0", "root:…" are root; 65532 (distroless nonroot) is fine. */
export function checkUser(config: ImageConfig, platform: string, configDigest: string): Finding[] {
  const user = config.config?.User?.trim() ?? '';
  const name = user.split(':')[0];
  if (user === '') {
    return [
      {
        check: 'user',
        platform,
        config: configDigest,
        message: 'the image runs as root: no User is set in the image config (use USER 65532:65532)',
      },
    ];
  }
  if (name === '0' || name === 'root') {
    return [
      {
        check: 'user',
        platform,
        config: configDigest,
        message: `the image runs as root: User is "${user}" (use a non-root user such as 65532:65532)`,
      },
    ];
  }
  return [];
}

/** github.com/x/y, GitHub URLs with or without .git or a trailing slash, compared case-insensitively. */
export function normalizeRepositoryUrl(url: string): string {
  return url
    .trim()
    .replace(/^git\+/, '')
    .replace(/^git@github\.com:/, 'https://github.com/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}

export function checkLabels(
  config: ImageConfig,
  required: readonly string[],
  sourceRepository: string,
  platform: string,
  configDigest: string,
): Finding[] {
  const labels = config.config?.Labels ?? {};
  const findings: Finding[] = [];
  for (const label of required) {
    if (!labels[label]?.trim()) {
      findings.push({ check: 'label', platform, config: configDigest, message: `required label ${label} is missing` });
    }
  }
  const source = labels[SOURCE_LABEL];
  if (source?.trim() && normalizeRepositoryUrl(source) !== normalizeRepositoryUrl(sourceRepository)) {
    findings.push({
      check: 'label',
      platform,
      config: configDigest,
      message: `label ${SOURCE_LABEL} is "${source}", expected the repository ${sourceRepository}`,
    });
  }
  return findings;
}

/** Every configured platform has a manifest in the index. */
export function checkPlatformsPresent(indexManifests: readonly Descriptor[], configured: readonly string[]): Finding[] {
  // Attestation manifests (unknown/unknown) are about a platform, not one.
  const present = new Set(
    indexManifests
      .filter((m) => m.platform && m.platform.os !== 'unknown')
      .map((m) => platformString(m.platform as Platform)),
  );
  const findings: Finding[] = [];
  for (const p of configured) {
    const [os, architecture, variant] = p.split('/');
    if (!present.has(platformString({ os, architecture, variant }))) {
      const has = [...present].join(', ') || 'none';
      findings.push({
        check: 'platform-missing',
        platform: p,
        message: `configured platform ${p} is missing from the image index (it has: ${has})`,
      });
    }
  }
  for (const m of indexManifests) {
    if (!m.platform) {
      findings.push({
        check: 'platform-missing',
        manifest: m.digest,
        message: `index entry ${m.digest} does not say which platform it is for`,
      });
    }
  }
  return findings;
}

/** The config of a platform's manifest says the platform the index claims. */
export function checkConfigPlatform(claimed: Platform, config: ImageConfig, configDigest: string): Finding[] {
  const claimedStr = platformString(claimed);
  const actual = platformString({ os: config.os, architecture: config.architecture, variant: config.variant });
  if (claimedStr === actual) return [];
  return [
    {
      check: 'platform-mismatch',
      platform: platformString(claimed),
      config: configDigest,
      message: `the index lists this manifest as ${platformString(claimed)} but its config says ${actual}`,
    },
  ];
}

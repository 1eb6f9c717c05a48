import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../nx-lucid/src/boundary/process';
import { DEBIAN_SUITE, parseControlStanzas, ResolvedPackage } from './packages';

/**
 * A private apt state (lists, cache, sources) under .lucid/base/apt, so we can resolve and download
 * packages of several architectures without touching the host's dpkg/apt configuration.
 * The sources are the host's Debian mirror (from /etc/apt/sources.list*), signed by the Debian keyring.
 */
export class PrivateApt {
  readonly sourcesFile: string;

  constructor(
    readonly dir: string,
    readonly architectures: readonly string[],
    readonly mirror = detectDebianMirror(),
  ) {
    this.sourcesFile = join(dir, 'sources.list');
  }

  private options(): string[] {
    const d = this.dir;
    const [native, ...foreign] = this.architectures;
    return [
      '-o',
      `Dir::State=${d}`,
      '-o',
      `Dir::State::Lists=${join(d, 'lists')}`,
      '-o',
      `Dir::State::status=${join(d, 'status')}`,
      '-o',
      `Dir::Cache=${join(d, 'cache')}`,
      '-o',
      `Dir::Etc::SourceList=${this.sourcesFile}`,
      '-o',
      `Dir::Etc::SourceParts=${join(d, 'sources.list.d')}`,
      '-o',
      `Dir::Etc::Preferences=${join(d, 'preferences')}`,
      '-o',
      `Dir::Etc::PreferencesParts=${join(d, 'preferences.d')}`,
      '-o',
      `APT::Architecture=${native}`,
      '-o',
      `APT::Architectures::=${native}`,
      ...foreign.flatMap((a) => ['-o', `APT::Architectures::=${a}`]),
      // Root-owned private dirs: the _apt sandbox user could not write them.
      '-o',
      'APT::Sandbox::User=root',
      '-o',
      'Acquire::Languages=none',
      '-o',
      'Acquire::Retries=3',
      '-q',
    ];
  }

  sourcesList(): string {
    const archs = this.architectures.join(',');
    const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
    return [
      `deb [arch=${archs} signed-by=${keyring}] ${this.mirror.debian} ${DEBIAN_SUITE} main`,
      `deb [arch=${archs} signed-by=${keyring}] ${this.mirror.debian} ${DEBIAN_SUITE}-updates main`,
      `deb [arch=${archs} signed-by=${keyring}] ${this.mirror.security} ${DEBIAN_SUITE}-security main`,
      '',
    ].join('\n');
  }

  /** Commands update() runs, for --dry-run. */
  describeUpdate(): string {
    return `apt-get update (private state ${this.dir}; ${this.architectures.join('+')}; ${this.mirror.debian} ${DEBIAN_SUITE}{,-updates}, ${this.mirror.security} ${DEBIAN_SUITE}-security)`;
  }

  async update(): Promise<void> {
    for (const sub of ['lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
      mkdirSync(join(this.dir, sub), { recursive: true });
    }
    if (!existsSync(join(this.dir, 'status'))) writeFileSync(join(this.dir, 'status'), '');
    writeFileSync(this.sourcesFile, this.sourcesList());
    await runProcess('apt-get', [...this.options(), 'update'], { env: { ...process.env, LC_ALL: 'C' } });
  }

  /** Candidate versions of pkg:arch (arch "all" for architecture-independent packages). */
  async resolve(names: readonly string[], arch: string): Promise<ResolvedPackage[]> {
    const specs = names.map((n) => `${n}:${arch}`);
    const { stdout } = await runProcess('apt-cache', [...this.options(), 'show', '--no-all-versions', ...specs], {
      env: { ...process.env, LC_ALL: 'C' },
    });
    const byName = new Map<string, ResolvedPackage>();
    for (const s of parseControlStanzas(stdout)) {
      byName.set(s.Package, {
        name: s.Package,
        version: s.Version,
        architecture: s.Architecture,
        depends: [s['Pre-Depends'], s.Depends].filter((d): d is string => Boolean(d)),
      });
    }
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length) throw new Error(`Debian ${DEBIAN_SUITE} has no ${arch} candidate for: ${missing.join(', ')}`);
    return names.map((n) => byName.get(n)!);
  }

  /** Downloads the exact versions into debDir (apt checks the signed hashes); returns each package's .deb path. */
  async download(packages: readonly ResolvedPackage[], debDir: string): Promise<Map<string, string>> {
    mkdirSync(debDir, { recursive: true });
    const files = new Map<string, string>();
    const wanted: string[] = [];
    for (const p of packages) {
      const file = join(debDir, debFileName(p));
      files.set(`${p.name}:${p.architecture}`, file);
      if (!existsSync(file)) wanted.push(`${p.name}:${p.architecture}=${p.version}`);
    }
    if (wanted.length) {
      await runProcess('apt-get', [...this.options(), 'download', ...new Set(wanted)], {
        cwd: debDir,
        env: { ...process.env, LC_ALL: 'C' },
      });
    }
    for (const [key, file] of files) {
      if (!existsSync(file)) {
        const near = readdirSync(debDir).filter((f) => f.startsWith(`${key.split(':')[0]}_`));
        throw new Error(`apt-get download did not produce ${file} (found: ${near.join(', ') || 'nothing'})`);
      }
    }
    return files;
  }
}

/** apt's file name for a package: name_version_arch.deb, with the epoch colon escaped. */
export function debFileName(p: Pick<ResolvedPackage, 'name' | 'version' | 'architecture'>): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.architecture}.deb`;
}

/**
 * The Debian mirror the host already uses (deb822 .sources or one-line .list), so a machine behind
 * an internal mirror keeps using it; deb.debian.org otherwise.
 */
export function detectDebianMirror(): { debian: string; security: string } {
  const texts: string[] = [];
  for (const file of ['/etc/apt/sources.list']) if (existsSync(file)) texts.push(readFileSync(file, 'utf8'));
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) texts.push(readFileSync(join(dir, f), 'utf8'));
  return debianMirrorFrom(texts.join('\n'));
}

export function debianMirrorFrom(sources: string): { debian: string; security: string } {
  const uris = [...sources.matchAll(/^\s*(?:URIs:|deb(?:\s+\[[^\]]*\])?)\s+(\S+)/gm)].map((m) =>
    m[1].replace(/\/+$/, ''),
  );
  const security = uris.find((u) => /\/debian-security$/.test(u)) ?? 'http://deb.debian.org/debian-security';
  const debian = uris.find((u) => /\/debian$/.test(u)) ?? 'http://deb.debian.org/debian';
  return { debian, security };
}

/**
 * The workspace's package manager, as the generated workflows install and call it: found from the lockfile at
 * the root (pnpm-lock.yaml, yarn.lock, package-lock.json / npm-shrinkwrap.json), its version from package.json's
 * `packageManager` field when it names one. Pure: the caller reads the files.
 */

/** A workflow step (input.ts's Step; not imported, so that input.ts may name PackageManager). */
type Step = Record<string, unknown>;

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn';

export interface PackageManager {
  name: PackageManagerName;
  /** From package.json `packageManager` (`pnpm@10.34.9`), without a `+sha…` suffix; undefined when not named. */
  version?: string;
}

export const LOCKFILES: ReadonlyArray<[string, PackageManagerName]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** pnpm's major when package.json does not name a version (the one Node 20–24 all run). */
export const DEFAULT_PNPM = '10';

/**
 * The package manager of a workspace: the `packageManager` field when it names one of the three, else the first
 * lockfile found, else npm. A `packageManager` that disagrees with the only lockfile is an error naming both.
 */
export function detectPackageManager(
  exists: (file: string) => boolean,
  packageJson: { packageManager?: unknown } | null,
): PackageManager {
  const lockfiles = LOCKFILES.filter(([file]) => exists(file));
  const declared = typeof packageJson?.packageManager === 'string' ? packageJson.packageManager : undefined;
  const m = declared ? /^(npm|pnpm|yarn)@([0-9][0-9A-Za-z.+-]*)$/.exec(declared) : null;
  if (declared && !m)
    throw new Error(
      `package.json: packageManager "${declared}" is not npm@<version>, pnpm@<version> or yarn@<version>`,
    );
  if (m) {
    const name = m[1] as PackageManagerName;
    const names = new Set(lockfiles.map(([, n]) => n));
    if (names.size > 0 && !names.has(name)) {
      throw new Error(
        `package.json names ${declared} as its packageManager but the lockfile is ${lockfiles.map(([f]) => f).join(', ')}`,
      );
    }
    return { name, version: m[2].split('+')[0] };
  }
  return { name: lockfiles[0]?.[1] ?? 'npm' };
}

const isYarnBerry = (pm: PackageManager) => pm.name === 'yarn' && !!pm.version && !pm.version.startsWith('1.');

/** The command that installs exactly the locked dependencies. */
export function installCommand(pm: PackageManager): string {
  if (pm.name === 'pnpm') return 'pnpm install --frozen-lockfile';
  if (pm.name === 'yarn') return isYarnBerry(pm) ? 'yarn install --immutable' : 'yarn install --frozen-lockfile';
  return 'npm ci';
}

/** How a workspace binary is run: `npx nx …`, `pnpm exec nx …`, `yarn nx …` (Yarn PnP has no node_modules/.bin). */
export function execPrefix(pm: PackageManager): string {
  if (pm.name === 'pnpm') return 'pnpm exec';
  if (pm.name === 'yarn') return 'yarn';
  return 'npx --no-install';
}

/**
 * Steps before setup-node: setup-node's `cache: pnpm` asks pnpm for its store path, so pnpm must be on PATH
 * first (installed with the runner's npm, at the packageManager version); Yarn 2+ comes from corepack (Yarn 1 is
 * on the runners). npm needs nothing.
 */
export function packageManagerSetup(pm: PackageManager): Step[] {
  if (pm.name === 'pnpm')
    return [
      { name: `pnpm ${pm.version ?? DEFAULT_PNPM}`, run: `npm install --global pnpm@${pm.version ?? DEFAULT_PNPM}` },
    ];
  if (isYarnBerry(pm)) return [{ name: `Yarn ${pm.version} (corepack)`, run: 'corepack enable' }];
  return [];
}

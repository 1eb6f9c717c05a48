/**
 * buildah/podman read image pulls' registries from registries.conf (containers-registries.conf(5)); a private one
 * per build (CONTAINERS_REGISTRIES_CONF) sends every pull of a mirrored registry to its mirror and expands short
 * names the way BuildKit does (mongo:7.0 → docker.io/library/mongo:7.0), whatever the machine's own file says.
 */
import { formatImageReference, parseImageReference } from '../../image/naming';
import type { ImagePull } from './engine';

/** A name without a registry host (python:3.11, library/python): an engine looks it up in the search registries. */
export function isShortName(name: string): boolean {
  const first = name.split('/')[0];
  return !name.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost');
}

const q = (s: string) => JSON.stringify(s);

/**
 * The registries.conf text for these pulls, or undefined when the engine's defaults serve them (no mirrored
 * registry, no short name). A mirror that fails falls back to the registry itself, as containers/image does.
 */
export function registriesConf(
  pulls: readonly ImagePull[],
  mirrors: Record<string, string>,
  insecureRegistries: readonly string[],
): string | undefined {
  const mirrored = [
    ...new Set(pulls.filter((p) => p.pullRef !== p.ref).map((p) => parseImageReference(p.ref).registry)),
  ];
  if (!mirrored.length && !pulls.some((p) => isShortName(p.name))) return undefined;
  const lines = [
    '# Written by @lucid/nx-lucid for one build: registryMirrors / LUCID_REGISTRY_MIRRORS.',
    'unqualified-search-registries = ["docker.io"]',
    'short-name-mode = "permissive"',
  ];
  for (const registry of mirrored.sort()) {
    const location = mirrors[registry].replace(/\/+$/, '');
    const insecure = insecureRegistries.includes(location.split('/')[0]);
    lines.push('', '[[registry]]', `prefix = ${q(registry)}`, `location = ${q(registry)}`);
    lines.push('', '[[registry.mirror]]', `location = ${q(location)}`, ...(insecure ? ['insecure = true'] : []));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * buildx: each mirrored pull as a named context (`--build-context <name>=docker-image://<mirror>/…`), which
 * BuildKit puts in place of that FROM / COPY --from image; pinned to the digest resolved before the build when
 * known. A context the user names wins.
 */
export function mirrorContexts(pulls: readonly ImagePull[], userContexts: Record<string, string>): string[] {
  const taken = new Set(Object.keys(userContexts));
  const flags: string[] = [];
  const seen = new Set<string>();
  for (const p of pulls) {
    if (p.pullRef === p.ref || seen.has(p.ref) || taken.has(p.name)) continue;
    seen.add(p.ref);
    const source = p.digest
      ? formatImageReference({ ...parseImageReference(p.pullRef), tag: undefined, digest: p.digest })
      : p.pullRef;
    flags.push('--build-context', `${p.name}=docker-image://${source}`);
  }
  return flags;
}

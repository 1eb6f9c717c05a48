/** OCI labels (image config) and annotations (image index) every built image carries. Pure. */

export const OCI = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
} as const;

export const PHASE_LABEL = 'io.lucid.phase';

export interface LabelInput {
  /** https://github.com/<owner>/<repo>: GHCR links the package to this repository. */
  sourceUrl: string;
  /** Git commit SHA; omitted when the build is not from a git checkout. */
  revision?: string | null;
  version: string;
  /** ISO 8601 time of the commit (reproducible), not of the build. */
  created: string;
  title: string;
  description?: string;
  phase?: number | null;
}

/** Labels in a fixed key order, so the image config (and its digest) does not depend on call order. */
export function imageLabels(input: LabelInput): Record<string, string> {
  const labels: Record<string, string> = {};
  const set = (key: string, value: string | null | undefined) => {
    if (value !== undefined && value !== null && value !== '') labels[key] = value;
  };
  set(OCI.created, input.created);
  set(OCI.description, input.description);
  set(OCI.revision, input.revision);
  set(OCI.source, input.sourceUrl);
  set(OCI.title, input.title);
  set(OCI.version, input.version);
  set(PHASE_LABEL, input.phase === undefined || input.phase === null ? undefined : String(input.phase));
  return labels;
}

/** Index annotations: the org.opencontainers.image.* labels (the description among them), as GHCR shows them. */
export function indexAnnotations(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith('org.opencontainers.image.')));
}

/**
 * https://github.com/<owner>/<repo> from a git remote URL (https, ssh or scp-like), or undefined when the
 * remote is not on GitHub.
 */
export function githubSourceUrl(remote: string): string | undefined {
  const m = remote
    .trim()
    .match(
      /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|ssh:\/\/git@github\.com(?::\d+)?\/|git@github\.com:)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/,
    );
  return m ? `https://github.com/${m[1]}/${m[2]}` : undefined;
}

/** The `[project]` table's `version` / `description` from a pyproject.toml (only the simple string form). */
export function pyprojectField(toml: string, field: 'version' | 'description'): string | undefined {
  let inProject = false;
  for (const raw of toml.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inProject = line === '[project]';
      continue;
    }
    if (!inProject) continue;
    const m = line.match(new RegExp(`^${field}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|'([^']*)')\\s*(?:#.*)?$`));
    if (m) return m[1] !== undefined ? m[1].replace(/\\(["\\])/g, '$1') : m[2];
  }
  return undefined;
}

export function packageJsonField(json: string, field: 'version' | 'description'): string | undefined {
  try {
    const value = (JSON.parse(json) as Record<string, unknown>)[field];
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    return undefined;
  }
}

export { phaseFromTags } from '../config/phase';

/**
 * The GitHub Actions the generated workflows may use, pinned by full commit SHA (a tag can be re-pointed, as
 * trivy-action's and setup-trivy's were in March 2026; a SHA cannot). This table mirrors
 * tools/nx-lucid/src/ci/actions.md, which records each pin as read from the action's own repository; pins.spec.ts fails
 * when the two disagree. Move a pin by updating both (Dependabot proposes the move, see dependabot.ts).
 */
export interface ActionPin {
  /** owner/name of the action's repository. */
  repository: string;
  /** The release tag the SHA names, kept as a comment next to every `uses:`. */
  version: string;
  sha: string;
}

export const PINS = {
  checkout: { repository: 'actions/checkout', version: 'v7.0.1', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1' },
  setupNode: { repository: 'actions/setup-node', version: 'v7.0.0', sha: '820762786026740c76f36085b0efc47a31fe5020' },
  cache: { repository: 'actions/cache', version: 'v5.0.5', sha: '27d5ce7f107fe9357f9df03efb73ab90386fccae' },
  nxSetShas: { repository: 'nrwl/nx-set-shas', version: 'v5.0.1', sha: 'afb73a62d26e41464e9254689e1fd6122ee683c1' },
  setupQemu: {
    repository: 'docker/setup-qemu-action',
    version: 'v4.2.0',
    sha: '96fe6ef7f33517b61c61be40b68a1882f3264fb8',
  },
  setupBuildx: {
    repository: 'docker/setup-buildx-action',
    version: 'v4.3.0',
    sha: '37fe631027851001ddb9b187196cc803df7f5f0e',
  },
  login: { repository: 'docker/login-action', version: 'v4.1.0', sha: '4907a6ddec9925e35a0a9e82d7399ccc52663121' },
  githubRuntime: {
    repository: 'crazy-max/ghaction-github-runtime',
    version: 'v4.0.0',
    sha: '04d248b84655b509d8c44dc1d6f990c879747487',
  },
  setupTrivy: {
    repository: 'aquasecurity/setup-trivy',
    version: 'v0.3.1',
    sha: '81e514348e19b6112ce2a7e3ecbafe19c1e1f567',
  },
  codeql: { repository: 'github/codeql-action', version: 'v4.36.2', sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e' },
  attestProvenance: {
    repository: 'actions/attest-build-provenance',
    version: 'v4.1.0',
    sha: 'a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32',
  },
  attestSbom: { repository: 'actions/attest-sbom', version: 'v4.1.0', sha: 'c604332985a26aa8cf1bdc465b92731239ec6b9e' },
} as const satisfies Record<string, ActionPin>;

export type PinName = keyof typeof PINS;

/** `owner/name[/sub-action]@<sha>`; the version comment is added when the workflow is rendered. */
export function uses(name: PinName, subAction?: string): string {
  const pin = PINS[name];
  return `${pin.repository}${subAction ? `/${subAction}` : ''}@${pin.sha}`;
}

/** The actions the workflows call, as `uses:` values. */
export const ACTIONS = {
  checkout: uses('checkout'),
  setupNode: uses('setupNode'),
  cache: uses('cache'),
  cacheRestore: uses('cache', 'restore'),
  cacheSave: uses('cache', 'save'),
  nxSetShas: uses('nxSetShas'),
  setupQemu: uses('setupQemu'),
  setupBuildx: uses('setupBuildx'),
  login: uses('login'),
  githubRuntime: uses('githubRuntime'),
  setupTrivy: uses('setupTrivy'),
  uploadSarif: uses('codeql', 'upload-sarif'),
  attestProvenance: uses('attestProvenance'),
  attestSbom: uses('attestSbom'),
} as const;

const USES_RE = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)((?:\/[A-Za-z0-9_.-]+)*)@(.+)$/;

export interface ParsedUses {
  repository: string;
  path: string;
  ref: string;
}

export function parseUses(value: string): ParsedUses | null {
  const m = USES_RE.exec(value);
  return m ? { repository: m[1], path: m[2], ref: m[3] } : null;
}

/** The pin a `uses:` value names (by repository and SHA), or why it is not acceptable. */
export function checkUses(
  value: string,
  table: readonly ActionPin[] = Object.values(PINS),
): { pin: ActionPin } | { problem: string } {
  const parsed = parseUses(value);
  if (!parsed) return { problem: `"${value}" is not owner/name[/path]@ref (local and docker:// actions are not used)` };
  if (!/^[0-9a-f]{40}$/.test(parsed.ref)) return { problem: `"${value}" is not pinned by a full 40-hex commit SHA` };
  const pin = table.find((p) => p.repository === parsed.repository && p.sha === parsed.ref);
  if (!pin)
    return {
      problem: `"${value}": ${parsed.repository} at ${parsed.ref} is not in the pins table (tools/nx-lucid/src/ci/actions.md)`,
    };
  return { pin };
}

/**
 * Reads the pins table of actions.md: rows `| owner/name[ (note)] | vX.Y.Z | <sha> | date |`. Throws when a row
 * looks like a pin but is malformed, so a broken table fails loudly rather than pinning nothing.
 */
export function parseActionsMarkdown(markdown: string): ActionPin[] {
  const pins: ActionPin[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim());
    if (!line.trim().startsWith('|') || cells.length < 3 || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+/.test(cells[0]))
      continue;
    const repository = cells[0].split(/\s+/)[0];
    const [version, sha] = [cells[1], cells[2]];
    if (!/^v[0-9]+\.[0-9]+\.[0-9]+$/.test(version) || !/^[0-9a-f]{40}$/.test(sha)) {
      throw new Error(`actions.md: malformed pin row for ${repository}: "${line.trim()}"`);
    }
    pins.push({ repository, version, sha });
  }
  return pins;
}

/**
 * The LUCID_* environment overrides and the one place they are applied: every executor resolves its
 * plugin options through resolveConfig once per run (never baked into the graph: the main job points every
 * service at a local registry with these; build targets hash them).
 */
import {
  formatIssues,
  normalizePluginOptions,
  PluginOptions,
  PluginOptionsInput,
  pluginOptionsSchema,
} from './options';
import { ENV_OVERRIDES } from './env-overrides';

export { ENV_OVERRIDES };

/** LUCID_ATTESTATIONS: "none", or a comma list of provenance and sbom. */
export function parseAttestationList(value: string): { provenance: boolean; sbom: boolean } {
  const items = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = items.filter((i) => !['none', 'provenance', 'sbom'].includes(i));
  if (bad.length || (items.includes('none') && items.length > 1)) {
    throw new Error(`${ENV_OVERRIDES.attestations}: expected none or a comma list of provenance, sbom; got "${value}"`);
  }
  return { provenance: items.includes('provenance'), sbom: items.includes('sbom') };
}

/**
 * A LUCID_* variable: unset → undefined, else its trimmed value. Set but empty is an error: `LUCID_PLATFORMS=`
 * is a mistake far more often than a wish for the default, and silently building other platforms hides it.
 */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!value) throw new Error(`${name} is set but empty: give it a value, or unset it to use the configured one`);
  return value;
}

const list = (value: string) =>
  value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** The overrides the environment sets, parsed but not yet validated. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): {
  registry?: string;
  registries?: string[];
  repository?: string;
  platforms?: string[];
  engine?: string;
  insecureRegistries?: string[];
  buildCache?: string;
  registryMirrors?: Record<string, string>;
  attestations?: { provenance: boolean; sbom: boolean };
} {
  const v = (k: keyof typeof ENV_OVERRIDES) => envValue(env, ENV_OVERRIDES[k]);
  const out: ReturnType<typeof readEnvOverrides> = {};
  const [registry, repository, platforms, engine, insecure, buildCache, mirrors] = [
    v('registry'),
    v('repository'),
    v('platforms'),
    v('engine'),
    v('insecureRegistries'),
    v('buildCache'),
    v('registryMirrors'),
  ];
  if (registry) out.registry = registry;
  const registries = v('registries');
  if (registries) {
    const items = registries.split(',').map((r) => r.trim());
    if (items.some((r) => !r))
      throw new Error(`${ENV_OVERRIDES.registries}: empty item in "${registries}"; expected host[:port][,host[:port]]`);
    out.registries = items;
    out.registry ??= items[0];
  }
  if (repository) out.repository = repository;
  if (platforms) out.platforms = list(platforms);
  if (engine) out.engine = engine;
  if (insecure) out.insecureRegistries = list(insecure);
  if (buildCache) out.buildCache = buildCache;
  const attestations = v('attestations');
  if (attestations) out.attestations = parseAttestationList(attestations);
  if (mirrors) {
    // Format: from=to[,from=to]
    out.registryMirrors = {};
    for (const pair of mirrors.split(',')) {
      const [from, to] = pair.split('=');
      if (!from || !to) throw new Error(`${ENV_OVERRIDES.registryMirrors}: expected from=to[,from=to], got "${pair}"`);
      out.registryMirrors[from.trim()] = to.trim();
    }
  }
  return out;
}

export function applyEnvOverrides(options: PluginOptions, env: NodeJS.ProcessEnv): PluginOptions {
  const { buildCache, attestations, ...overrides } = readEnvOverrides(env);
  const raw: Record<string, unknown> = { ...options, ...overrides };
  // LUCID_REGISTRY alone (the main job's local registry) points the push there only.
  if (overrides.registry && !overrides.registries) delete raw.registries;
  if (buildCache) raw.buildCache = { ...options.buildCache, type: buildCache };
  if (attestations) raw.attestations = { ...options.attestations, ...attestations };
  const parsed = pluginOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid LUCID_* environment override:\n${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * The configuration a run uses: the options an executor was given (undefined fields take the plugin
 * defaults), then the LUCID_* overrides. Executors call this once and pass the result down.
 */
export function resolveConfig(given: Partial<PluginOptionsInput>, env: NodeJS.ProcessEnv): PluginOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return applyEnvOverrides(normalizePluginOptions(defined), env);
}

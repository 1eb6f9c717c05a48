/** The LUCID_* environment overrides by option (applied by resolve.ts; hashed into the build by the graph). */
export const ENV_OVERRIDES = {
  registry: 'LUCID_REGISTRY',
  /** Comma list: push to each (wins over LUCID_REGISTRY, whose single registry otherwise replaces `registries`). */
  registries: 'LUCID_REGISTRIES',
  repository: 'LUCID_REPOSITORY',
  platforms: 'LUCID_PLATFORMS',
  engine: 'LUCID_ENGINE',
  registryMirrors: 'LUCID_REGISTRY_MIRRORS',
  insecureRegistries: 'LUCID_INSECURE_REGISTRIES',
  /** gha | registry | none: the generated CI workflows set gha (BuildKit cache in the Actions cache, per service scope). */
  buildCache: 'LUCID_BUILD_CACHE',
  /** none | provenance | sbom | provenance,sbom: which BuildKit attestations buildx adds. */
  attestations: 'LUCID_ATTESTATIONS',
} as const;

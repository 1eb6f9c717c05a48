/** Test support: a value for every LUCID_* override, each differing from every default (for "reads none of them" specs). */
import { ENV_OVERRIDES } from '../resolve';

export const OVERRIDE_VALUES: Record<string, string> = {
  [ENV_OVERRIDES.registry]: 'other.example:5000',
  [ENV_OVERRIDES.registries]: 'other.example:5000,third.example',
  [ENV_OVERRIDES.repository]: 'acme/other',
  [ENV_OVERRIDES.platforms]: 'linux/s390x',
  [ENV_OVERRIDES.engine]: 'podman',
  [ENV_OVERRIDES.registryMirrors]: 'gcr.io=mirror.example/gcr.io',
  [ENV_OVERRIDES.insecureRegistries]: 'registry.example:5000',
  [ENV_OVERRIDES.buildCache]: 'registry',
  [ENV_OVERRIDES.attestations]: 'none',
};

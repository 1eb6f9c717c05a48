import { normalizePluginOptions, registryList } from './options';
import { applyEnvOverrides, ENV_OVERRIDES, envValue, resolveConfig } from './resolve';

describe('LUCID_* overrides (resolved once)', () => {
  it.each(Object.values(ENV_OVERRIDES))('%s set but empty is an error naming it', (name) => {
    for (const value of ['', '  ']) {
      expect(() => resolveConfig({}, { [name]: value })).toThrow(new RegExp(`${name} is set but empty`));
      expect(() => applyEnvOverrides(normalizePluginOptions({}), { [name]: value })).toThrow(
        new RegExp(`${name} is set but empty`),
      );
    }
  });

  it('LUCID_PLATFORMS= no longer silently means the configured platforms', () => {
    expect(() => resolveConfig({ platforms: ['linux/amd64'] }, { LUCID_PLATFORMS: '' })).toThrow(/LUCID_PLATFORMS/);
  });

  it('an unset override keeps the given value; a set one wins', () => {
    expect(resolveConfig({ platforms: ['linux/amd64'] }, {}).platforms).toEqual(['linux/amd64']);
    expect(
      resolveConfig({ platforms: ['linux/amd64'] }, { LUCID_PLATFORMS: 'linux/arm64, linux/arm/v7' }).platforms,
    ).toEqual(['linux/arm64', 'linux/arm/v7']);
    expect(resolveConfig({ registry: 'ghcr.io' }, { LUCID_REGISTRY: '127.0.0.1:5000' }).registry).toBe(
      '127.0.0.1:5000',
    );
    expect(resolveConfig({}, { LUCID_BUILD_CACHE: 'gha' }).buildCache).toEqual({ type: 'gha', mode: 'max' });
    expect(resolveConfig({}, { LUCID_REGISTRY_MIRRORS: 'gcr.io=m:5000/gcr.io' }).registryMirrors).toEqual({
      'gcr.io': 'm:5000/gcr.io',
    });
  });

  it('registries: default [registry]; the first is the registry; LUCID_REGISTRIES wins, LUCID_REGISTRY alone narrows', () => {
    expect(registryList(resolveConfig({ registry: 'ghcr.io' }, {}))).toEqual(['ghcr.io']);
    const two = resolveConfig({ registries: ['a.example', 'b.example:5000'] }, {});
    expect([two.registry, registryList(two)]).toEqual(['a.example', ['a.example', 'b.example:5000']]);
    const env = resolveConfig({ registries: ['a.example'] }, { LUCID_REGISTRIES: 'c.example, d.example' });
    expect([env.registry, registryList(env)]).toEqual(['c.example', ['c.example', 'd.example']]);
    const local = resolveConfig({ registries: ['a.example', 'b.example'] }, { LUCID_REGISTRY: '127.0.0.1:5000' });
    expect(registryList(local)).toEqual(['127.0.0.1:5000']);
  });

  it('LUCID_REGISTRIES: set but empty, an empty item, or a bad host is an error', () => {
    expect(() => resolveConfig({}, { LUCID_REGISTRIES: ' ' })).toThrow(/LUCID_REGISTRIES is set but empty/);
    expect(() => resolveConfig({}, { LUCID_REGISTRIES: 'a.example,,b.example' })).toThrow(
      /LUCID_REGISTRIES: empty item/,
    );
    expect(() => resolveConfig({}, { LUCID_REGISTRIES: 'https://a.example' })).toThrow(/registries\.0/);
  });

  it('undefined fields take the plugin defaults', () => {
    expect(resolveConfig({ registry: undefined, platforms: undefined }, {})).toEqual(normalizePluginOptions({}));
  });

  it('a bad override still names the variable family', () => {
    expect(() => resolveConfig({}, { LUCID_PLATFORMS: ',' })).toThrow(/LUCID_\* environment override/);
    expect(() => resolveConfig({}, { LUCID_REGISTRY_MIRRORS: 'gcr.io' })).toThrow(
      /LUCID_REGISTRY_MIRRORS: expected from=to/,
    );
  });

  it('envValue: unset → undefined, empty → error, else trimmed', () => {
    expect(envValue({}, 'LUCID_TRIVY_DB_DIR')).toBeUndefined();
    expect(envValue({ LUCID_TRIVY_DB_DIR: ' /db ' }, 'LUCID_TRIVY_DB_DIR')).toBe('/db');
    expect(() => envValue({ LUCID_TRIVY_DB_DIR: '' }, 'LUCID_TRIVY_DB_DIR')).toThrow(
      /LUCID_TRIVY_DB_DIR is set but empty/,
    );
  });
});

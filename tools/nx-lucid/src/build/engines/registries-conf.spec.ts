import type { ImagePull } from './engine';
import { isShortName, mirrorContexts, registriesConf } from './registries-conf';

const pull = (name: string, ref: string, pullRef = ref, digest?: string): ImagePull => ({
  name,
  ref,
  pullRef,
  ...(digest ? { digest } : {}),
});
const MIRRORS = { 'docker.io': 'm:5000/mirror/docker.io/', 'gcr.io': 'm:5000/mirror/gcr.io' };
const python = pull(
  'python:3.11-slim',
  'docker.io/library/python:3.11-slim',
  'm:5000/mirror/docker.io/library/python:3.11-slim',
);
const distroless = pull(
  'gcr.io/distroless/python3-debian12',
  'gcr.io/distroless/python3-debian12',
  'm:5000/mirror/gcr.io/distroless/python3-debian12',
);

describe('registries.conf for buildah/podman', () => {
  it('sends each mirrored registry to its mirror and searches docker.io for short names', () => {
    expect(registriesConf([python, distroless], MIRRORS, ['m:5000'])).toBe(
      [
        '# Written by @lucid/nx-lucid for one build: registryMirrors / LUCID_REGISTRY_MIRRORS.',
        'unqualified-search-registries = ["docker.io"]',
        'short-name-mode = "permissive"',
        '',
        '[[registry]]',
        'prefix = "docker.io"',
        'location = "docker.io"',
        '',
        '[[registry.mirror]]',
        'location = "m:5000/mirror/docker.io"',
        'insecure = true',
        '',
        '[[registry]]',
        'prefix = "gcr.io"',
        'location = "gcr.io"',
        '',
        '[[registry.mirror]]',
        'location = "m:5000/mirror/gcr.io"',
        'insecure = true',
        '',
      ].join('\n'),
    );
  });
  it('a short name alone still needs the file (buildah has no search registry by default); qualified, unmirrored pulls do not', () => {
    const mongo = pull('mongo:7.0', 'docker.io/library/mongo:7.0');
    expect(registriesConf([mongo], {}, [])).toMatch(/^unqualified-search-registries = \["docker.io"\]$/m);
    expect(registriesConf([mongo], {}, [])).not.toContain('[[registry]]');
    expect(registriesConf([pull('gcr.io/x/y:1', 'gcr.io/x/y:1')], {}, [])).toBeUndefined();
  });
  it('tells short names from qualified ones as Docker does', () => {
    expect(['python', 'python:3.11', 'library/python', 'hamigames/lucid'].map(isShortName)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['gcr.io/x', 'localhost/x', 'localhost:5000/x', 'm:5000/x'].map(isShortName)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('buildx named contexts for mirrored pulls', () => {
  it('one --build-context per mirrored image, pinned to a known digest; unmirrored pulls and user contexts are left alone', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const pinned = { ...distroless, digest };
    expect(mirrorContexts([python, python, pinned, pull('gcr.io/x/y:1', 'gcr.io/x/y:1')], {})).toEqual([
      '--build-context',
      'python:3.11-slim=docker-image://m:5000/mirror/docker.io/library/python:3.11-slim',
      '--build-context',
      `gcr.io/distroless/python3-debian12=docker-image://m:5000/mirror/gcr.io/distroless/python3-debian12@${digest}`,
    ]);
    expect(mirrorContexts([python], { 'python:3.11-slim': 'docker-image://elsewhere/python:3' })).toEqual([]);
  });
});

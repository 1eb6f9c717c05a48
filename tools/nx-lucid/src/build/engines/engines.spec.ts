import { buildahEngine, podmanEngine } from './buildah';
import { attestationFlags, buildkitFailureHint, buildxEngine, cacheFlags } from './buildx';
import { EngineBuildPlan, firstVersion } from './engine';

const plan: EngineBuildPlan = {
  project: 'auth-service',
  dockerfile: 'apps/auth-service/Dockerfile',
  context: '.',
  ignoreFile: 'apps/auth-service/Dockerfile.dockerignore',
  platforms: ['linux/amd64', 'linux/arm64'],
  labels: { 'org.opencontainers.image.title': 'auth-service', 'io.lucid.phase': '1' },
  buildArgs: { BASE_IMAGE: `m:5000/gcr.io/distroless/python3-debian12@sha256:${'a'.repeat(64)}` },
  timestamp: 1714557600,
  insecureRegistries: ['m:5000'],
  stagingDir: '/tmp/s/staging',
  storageDir: '/tmp/s/storage',
  cache: { type: 'none', mode: 'max' },
  image: 'ghcr.io/hamigames/lucid/auth-service',
  attestations: { provenance: true, sbom: true },
  secrets: [],
  buildContexts: {},
  noCache: false,
  pulls: [],
};

describe('buildah / podman', () => {
  it('builds every platform into the build’s own manifest list in its store, then pushes it as an OCI layout', () => {
    const [build, push] = buildahEngine.buildCommands({ ...plan, manifestList: 'lucid-build-auth-service-7-ab' });
    const storage = [
      '--root',
      '/tmp/s/storage/root',
      '--runroot',
      '/tmp/s/storage/runroot',
      '--storage-driver',
      'overlay',
    ];
    expect(build.command).toBe('buildah');
    expect(build.args).toEqual([
      ...storage,
      'build',
      '--isolation',
      'chroot',
      '--platform',
      'linux/amd64,linux/arm64',
      '--manifest',
      'lucid-build-auth-service-7-ab',
      '--timestamp',
      '1714557600',
      '--format',
      'oci',
      '--pull=always',
      '--tls-verify=false',
      '--label',
      'org.opencontainers.image.title=auth-service',
      '--label',
      'io.lucid.phase=1',
      '--build-arg',
      plan.buildArgs.BASE_IMAGE.replace(/^/, 'BASE_IMAGE='),
      '--ignorefile',
      'apps/auth-service/Dockerfile.dockerignore',
      '-f',
      'apps/auth-service/Dockerfile',
      '.',
    ]);
    expect(push.args).toEqual([
      ...storage,
      'manifest',
      'push',
      '--all',
      '--format',
      'oci',
      'lucid-build-auth-service-7-ab',
      'oci:/tmp/s/staging/buildah:build',
    ]);
    expect(buildahEngine.outputs(plan)).toEqual([{ layoutDir: '/tmp/s/staging/buildah', platforms: plan.platforms }]);
  });

  it('cleans up only its own list and images, on the same store', () => {
    const [rmList, rmImages] = buildahEngine.cleanupCommands!({ ...plan, manifestList: 'lucid-build-x-1-ab' }, [
      `sha256:${'a'.repeat(64)}`,
      `sha256:${'b'.repeat(64)}`,
    ]);
    expect(rmList.args.slice(6)).toEqual(['manifest', 'rm', 'lucid-build-x-1-ab']);
    expect(rmImages.args.slice(6)).toEqual(['rmi', 'a'.repeat(64), 'b'.repeat(64)]);
    expect(rmImages.args.slice(0, 2)).toEqual(['--root', '/tmp/s/storage/root']);
    expect(buildahEngine.cleanupCommands!(plan, [])).toHaveLength(1);
  });

  it('verifies TLS unless a registry is insecure; podman takes the same flags', () => {
    expect(buildahEngine.buildCommands({ ...plan, insecureRegistries: [] })[0].args).not.toContain(
      '--tls-verify=false',
    );
    const [build] = podmanEngine.buildCommands(plan);
    expect(build.command).toBe('podman');
    expect(build.args).toEqual(buildahEngine.buildCommands(plan)[0].args);
  });
});

describe('buildx', () => {
  it('builds each platform into its own OCI layout directory, with provenance and SBOM, file times clamped', () => {
    const commands = buildxEngine.buildCommands(plan);
    expect(commands.map((c) => c.label)).toEqual(['buildx build linux/amd64', 'buildx build linux/arm64']);
    expect(commands[1].args).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/arm64',
      '--provenance=mode=max',
      '--sbom=true',
      '--output',
      'type=oci,dest=/tmp/s/staging/linux-arm64,tar=false,rewrite-timestamp=true',
      '--metadata-file',
      '/tmp/s/staging/linux-arm64.metadata.json',
      '--label',
      'org.opencontainers.image.title=auth-service',
      '--label',
      'io.lucid.phase=1',
      '--build-arg',
      'SOURCE_DATE_EPOCH=1714557600',
      '--build-arg',
      `BASE_IMAGE=${plan.buildArgs.BASE_IMAGE}`,
      '-f',
      'apps/auth-service/Dockerfile',
      '.',
    ]);
  });

  it('turns attestations off, or names another SBOM scanner', () => {
    expect(attestationFlags({ provenance: false, sbom: false })).toEqual(['--provenance=false', '--sbom=false']);
    expect(attestationFlags({ provenance: true, sbom: true, sbomGenerator: '127.0.0.1:5000/scanner:1' })).toEqual([
      '--provenance=mode=max',
      '--sbom=generator=127.0.0.1:5000/scanner:1',
    ]);
    const [cmd] = buildxEngine.buildCommands({ ...plan, attestations: { provenance: false, sbom: false } });
    expect(cmd.args.slice(4, 6)).toEqual(['--provenance=false', '--sbom=false']);
  });

  it("leads a failure with BuildKit's own ERROR lines, and says what to do when the SBOM scanner is missing", () => {
    const stderr = [
      '#4 resolve image config for docker-image://docker.io/docker/buildkit-syft-scanner:stable-1',
      '#4 ERROR: docker.io/docker/buildkit-syft-scanner:stable-1: not found',
      '------',
      'ERROR: failed to build: failed to solve: docker.io/docker/buildkit-syft-scanner:stable-1: not found',
    ].join('\n');
    const hint = buildkitFailureHint(stderr)!;
    expect(hint.split('\n').slice(0, 2)).toEqual([
      'BuildKit: ERROR: docker.io/docker/buildkit-syft-scanner:stable-1: not found',
      'BuildKit: ERROR: failed to build: failed to solve: docker.io/docker/buildkit-syft-scanner:stable-1: not found',
    ]);
    expect(hint).toContain('LUCID_ATTESTATIONS=provenance');
    expect(
      buildkitFailureHint('ERROR: failed to build: failed to solve: failed to compute cache key: "/nope": not found'),
    ).toBe('BuildKit: ERROR: failed to build: failed to solve: failed to compute cache key: "/nope": not found');
    expect(buildkitFailureHint('plain failure')).toBeUndefined();
  });

  it('scopes the BuildKit cache per service and platform', () => {
    expect(cacheFlags({ ...plan, cache: { type: 'gha', mode: 'max' } }, 'linux/arm64')).toEqual([
      '--cache-from',
      'type=gha,scope=auth-service-linux-arm64',
      '--cache-to',
      'type=gha,scope=auth-service-linux-arm64,mode=max',
    ]);
    expect(cacheFlags({ ...plan, cache: { type: 'registry', mode: 'min' } }, 'linux/amd64')).toEqual([
      '--cache-from',
      'type=registry,ref=ghcr.io/hamigames/lucid/auth-service-buildcache:linux-amd64',
      '--cache-to',
      'type=registry,ref=ghcr.io/hamigames/lucid/auth-service-buildcache:linux-amd64,mode=min',
    ]);
    expect(cacheFlags(plan, 'linux/amd64')).toEqual([]);
  });
});

it('reads engine versions', () => {
  expect(firstVersion('buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)')).toBe('1.28.2');
  expect(firstVersion('podman version 4.3.1')).toBe('4.3.1');
  expect(firstVersion('github.com/docker/buildx v0.17.1 257815a')).toBe('0.17.1');
  expect(() => firstVersion('nothing')).toThrow(/could not read a version/);
});

describe('build-push-action options and mirrors on the command line', () => {
  const withOptions: EngineBuildPlan = {
    ...plan,
    target: 'runtime',
    noCache: true,
    secrets: [
      { id: 'pip', src: 'configs/pip.conf' },
      { id: 'token', env: 'NPM_TOKEN' },
    ],
    buildContexts: { shared: 'libs/shared' },
    pulls: [
      {
        name: 'python:3.11-slim',
        ref: 'docker.io/library/python:3.11-slim',
        pullRef: 'm:5000/mirror/docker.io/library/python:3.11-slim',
      },
    ],
    registriesConf: '/tmp/s/registries.conf',
  };
  const common = [
    '--target',
    'runtime',
    '--no-cache',
    '--secret',
    'id=pip,src=configs/pip.conf',
    '--secret',
    'id=token,env=NPM_TOKEN',
    '--build-context',
    'shared=libs/shared',
  ];
  const slice = (args: string[], from: string) => args.slice(args.indexOf(from), args.indexOf(from) + common.length);

  it('buildah: the same flags, and the private registries.conf through the environment (a path, no secret)', () => {
    const [build] = buildahEngine.buildCommands(withOptions);
    expect(slice(build.args, '--target')).toEqual(common);
    expect(build.env).toEqual({ CONTAINERS_REGISTRIES_CONF: '/tmp/s/registries.conf' });
    expect(build.args.join(' ')).not.toContain('docker-image://');
    expect(buildahEngine.buildCommands(plan)[0].env).toBeUndefined();
  });
  it('buildx: the same flags, then each mirrored pull as a named context', () => {
    const [build] = buildxEngine.buildCommands(withOptions);
    expect(slice(build.args, '--target')).toEqual(common);
    const at = build.args.indexOf('--build-context', build.args.indexOf('shared=libs/shared'));
    expect(build.args.slice(at, at + 2)).toEqual([
      '--build-context',
      'python:3.11-slim=docker-image://m:5000/mirror/docker.io/library/python:3.11-slim',
    ]);
    expect(build.env).toBeUndefined();
  });
});

/*
 * Real: buildah (daemonless, chroot isolation, private overlay storage) builds a fixture service for
 * linux/amd64 + linux/arm64 on a base the test pushes to a real registry; skopeo, an independent tool,
 * reads the result back. Bad input is refused before any builder starts.
 */
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import buildExecutor from '../src/nx/executors/build/executor';
import { registeredEmulators } from '../src/build/environment';
import { runProcess } from '../src/boundary/process';
import { sha256Digest } from '../src/oci/digest';
import { MediaType } from '../src/oci/media-types';
import { parseBuildMetadata } from '../src/artifacts/metadata';
import { pushTestBase, PushedBase } from './support/base-image';
import { startRegistry, TestRegistry } from './support/registry';
import { skopeoInspectLayout } from './support/registry-check';

const PROJECT = 'fixture-svc';
const OUT = `dist/containers/${PROJECT}`;

const DOCKERFILE = [
  'ARG BASE_IMAGE=gcr.io/lucid-test/base:1',
  'FROM scratch AS assemble',
  `COPY apps/${PROJECT}/pyproject.toml apps/${PROJECT}/src/ /app/`,
  'FROM ${BASE_IMAGE}',
  'COPY --from=assemble /app /app',
  'USER 65532:65532',
  'ENTRYPOINT ["python3", "/app/main.py"]',
  '',
].join('\n');

describe('container-build with buildah (real build, no Docker)', () => {
  let registry: TestRegistry;
  let base: PushedBase;
  let root: string;
  let lines: string[];

  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  const context = (projectName = PROJECT): ExecutorContext =>
    ({
      root,
      cwd: root,
      isVerbose: false,
      projectName,
      projectsConfigurations: {
        version: 2,
        projects: { [projectName]: { root: `apps/${PROJECT}`, tags: ['type:service', 'phase:2'] } },
      },
    }) as unknown as ExecutorContext;
  const options = (extra: Record<string, unknown> = {}) => ({
    outputPath: OUT,
    dockerfile: `apps/${PROJECT}/Dockerfile`,
    registry: 'ghcr.io',
    repository: 'hamigames/lucid',
    platforms: ['linux/amd64', 'linux/arm64'],
    engine: 'buildah',
    registryMirrors: { 'gcr.io': `${registry.host}/mirror/gcr.io` },
    insecureRegistries: [registry.host],
    ...extra,
  });
  // This process's scratch folders only (the build runs in-process here): another suite on the machine may be
  // building a project of the same name at the same time.
  const scratchDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(`lucid-build-${PROJECT}-${process.pid}`));

  beforeAll(async () => {
    registry = await startRegistry();
    base = await pushTestBase(registry.host, 'mirror/gcr.io/lucid-test/base', '1');
    root = mkdtempSync(join(tmpdir(), 'lucid-build-e2e-'));
    write(`apps/${PROJECT}/Dockerfile`, DOCKERFILE);
    write(`apps/${PROJECT}/Dockerfile.dockerignore`, '**/*.secret\n');
    write(
      `apps/${PROJECT}/pyproject.toml`,
      '[project]\nname = "fixture-svc"\nversion = "1.2.3"\ndescription = "Fixture service"\n',
    );
    write(`apps/${PROJECT}/src/main.py`, 'print("hello")\n');
    write(`apps/${PROJECT}/src/local.secret`, 'must not be in the image\n');
    const git = (args: string[]) =>
      runProcess('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', '-c', 'commit.gpgsign=false', ...args], {
        cwd: root,
      });
    await git(['init', '-q', '-b', 'main']);
    await git(['remote', 'add', 'origin', 'git@github.com:hamigames/lucid.git']);
    await git(['add', '-A']);
    await runProcess('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'fixture'], {
      cwd: root,
      env: { ...process.env, GIT_COMMITTER_DATE: '2024-05-01T10:00:00Z', GIT_AUTHOR_DATE: '2024-05-01T10:00:00Z' },
    });
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
    jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
    jest.spyOn(logger, 'error').mockImplementation((m) => void lines.push(String(m)));
  });
  afterEach(() => jest.restoreAllMocks());

  describe('a two-platform build', () => {
    let metadata: ReturnType<typeof parseBuildMetadata>;
    let layoutDir: string;
    let buildLog: string;

    beforeAll(async () => {
      lines = [];
      jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
      const result = await buildExecutor(options(), context());
      jest.restoreAllMocks();
      buildLog = lines.join('\n');
      expect(result).toEqual({ success: true });
      metadata = parseBuildMetadata(JSON.parse(readFileSync(join(root, OUT, 'metadata.json'), 'utf8')));
      layoutDir = join(root, OUT, 'oci');
    });

    it('writes a layout whose index.json references exactly one image index with two platform manifests', () => {
      const top = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8'));
      expect(top.manifests).toHaveLength(1);
      expect(top.manifests[0].mediaType).toBe(MediaType.ociIndex);
      expect(top.manifests[0].digest).toBe(metadata.index.digest);
      const index = JSON.parse(readFileSync(join(layoutDir, 'blobs/sha256', metadata.index.digest.slice(7)), 'utf8'));
      expect(index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual([
        'amd64',
        'arm64',
      ]);
      expect(index.annotations['org.opencontainers.image.description']).toBe('Fixture service');
      // Only what the index reaches: the engine's own list blob is not carried over.
      const blobs = readdirSync(join(layoutDir, 'blobs/sha256'));
      const reachable = new Set(
        [metadata.index.digest, ...metadata.manifests.flatMap((m) => [m.digest, m.configDigest])].map((d) =>
          d.slice(7),
        ),
      );
      for (const m of metadata.manifests) {
        const manifest = JSON.parse(readFileSync(join(layoutDir, 'blobs/sha256', m.digest.slice(7)), 'utf8'));
        manifest.layers.forEach((l: { digest: string }) => reachable.add(l.digest.slice(7)));
      }
      // A slim output keeps the base's layers out (listed in external-blobs.json, fetched on demand).
      const externalFile = join(layoutDir, 'external-blobs.json');
      const external: string[] = existsSync(externalFile)
        ? JSON.parse(readFileSync(externalFile, 'utf8')).blobs.map((b: { digest: string }) => b.digest.slice(7))
        : [];
      for (const d of external) expect(reachable.has(d)).toBe(true);
      expect(blobs.sort()).toEqual([...reachable].filter((d) => !external.includes(d)).sort());
    });

    it('skopeo agrees with metadata.json on the index, the platforms and the manifest digests', async () => {
      const raw = (await runProcess('skopeo', ['inspect', '--raw', `oci:${layoutDir}`])).stdout;
      expect(sha256Digest(Buffer.from(raw))).toBe(metadata.index.digest);
      const index = JSON.parse(raw);
      expect(
        index.manifests.map((m: { digest: string; platform: { os: string; architecture: string } }) => [
          m.platform.os,
          m.platform.architecture,
          m.digest,
        ]),
      ).toEqual(metadata.manifests.map((m) => [m.platform.os, m.platform.architecture, m.digest]));
      for (const m of metadata.manifests) {
        const info = await skopeoInspectLayout(layoutDir, m.platform.architecture);
        // For an index skopeo reports the index digest, and the chosen platform's config and layers.
        expect(info.Digest).toBe(metadata.index.digest);
        expect(info.Architecture).toBe(m.platform.architecture);
        const manifest = JSON.parse(readFileSync(join(layoutDir, 'blobs/sha256', m.digest.slice(7)), 'utf8'));
        expect(info.Layers).toEqual(manifest.layers.map((l: { digest: string }) => l.digest));
        expect(info.Labels).toMatchObject(metadata.labels);
      }
    });

    it('labels the image from git, pyproject.toml and the phase tag, and pins the base', () => {
      expect(metadata).toMatchObject({
        project: PROJECT,
        phase: 2,
        image: 'ghcr.io/hamigames/lucid/fixture-svc',
        version: '1.2.3',
        base: { ref: 'gcr.io/lucid-test/base:1', digest: base.digest },
        engine: { name: 'buildah' },
      });
      expect(metadata.gitSha).toMatch(/^[0-9a-f]{40}$/);
      expect(metadata.labels).toEqual({
        'org.opencontainers.image.created': '2024-05-01T10:00:00.000Z',
        'org.opencontainers.image.description': 'Fixture service',
        'org.opencontainers.image.revision': metadata.gitSha,
        'org.opencontainers.image.source': 'https://github.com/hamigames/lucid',
        'org.opencontainers.image.title': PROJECT,
        'org.opencontainers.image.version': '1.2.3',
        'io.lucid.phase': '2',
      });
      expect(buildLog).toContain(`mirror/gcr.io/lucid-test/base@${base.digest}`);
      expect(buildLog).toContain('engine: buildah');
      expect(buildLog).toMatch(/linux\/arm64: sha256:[0-9a-f]{64} \(2 layer\(s\)\)/);
      expect(scratchDirs()).toEqual([]);
    });

    it("builds each platform on that platform's base layer, without ignored files", async () => {
      const baseIndex = JSON.parse(
        (await runProcess('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${base.ref}`])).stdout,
      );
      for (const [i, m] of metadata.manifests.entries()) {
        const manifest = JSON.parse(readFileSync(join(layoutDir, 'blobs/sha256', m.digest.slice(7)), 'utf8'));
        expect(baseIndex.manifests[i].platform.architecture).toBe(m.platform.architecture);
        // buildah recompresses layers, so compare the uncompressed digests (diff_ids).
        const config = JSON.parse(
          readFileSync(join(layoutDir, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'),
        );
        const baseConfig = JSON.parse(
          (
            await runProcess('skopeo', [
              'inspect',
              '--config',
              '--raw',
              '--tls-verify=false',
              `docker://${base.ref.replace(/:1$/, '')}@${baseIndex.manifests[i].digest}`,
            ])
          ).stdout,
        );
        expect(config.architecture).toBe(m.platform.architecture);
        expect(config.rootfs.diff_ids[0]).toBe(baseConfig.rootfs.diff_ids[0]);
        const top = manifest.layers[manifest.layers.length - 1].digest.slice(7);
        const listing = (await runProcess('tar', ['-tzf', join(layoutDir, 'blobs/sha256', top)])).stdout;
        expect(listing).toMatch(/app\/main\.py/);
        expect(listing).not.toMatch(/local\.secret/);
      }
    });

    it('is reproducible: a second build on the shared store (base already there) gives the same index digest', async () => {
      const result = await buildExecutor(options(), context());
      expect(result).toEqual({ success: true });
      const again = parseBuildMetadata(JSON.parse(readFileSync(join(root, OUT, 'metadata.json'), 'utf8')));
      expect(again.index.digest).toBe(metadata.index.digest);
    });

    it('leaves only the base in the shared store (each build removes its list and images)', async () => {
      const store = join(root, '.lucid/buildah');
      const images = await runProcess('buildah', [
        ...['--root', join(store, 'root'), '--runroot', join(store, 'runroot'), '--storage-driver', 'overlay'],
        ...['images', '-a', '--format', '{{.ID}} {{.Name}}'],
      ]);
      const listed = images.stdout.trim().split('\n');
      expect(listed.filter((l) => l.includes('lucid-build'))).toEqual([]);
      // The test base: one image per platform.
      expect(listed).toHaveLength(2);
    });
  });

  describe('dry run and bad input build nothing', () => {
    const otherOut = 'dist/containers/other';
    const run = async (opts: Record<string, unknown>, projectName?: string) => {
      const result = await buildExecutor({ ...options(), outputPath: otherOut, ...opts }, context(projectName));
      expect(existsSync(join(root, otherOut))).toBe(false);
      expect(scratchDirs()).toEqual([]);
      return { result, output: lines.join('\n') };
    };

    it('--dry-run prints the exact buildah command lines', async () => {
      const { result, output } = await run({ dryRun: true });
      expect(result.success).toBe(true);
      expect(output).toMatch(
        new RegExp(
          `^buildah --root \\S+/root --runroot \\S+/runroot --storage-driver overlay build --isolation chroot --platform linux/amd64,linux/arm64 --manifest lucid-build-fixture-svc-\\d+-[0-9a-f]+ --timestamp 1714557600 --format oci --pull=always --tls-verify=false .*--build-arg BASE_IMAGE=${registry.host.replace(/\./g, '\\.')}/mirror/gcr\\.io/lucid-test/base@${base.digest} --ignorefile apps/fixture-svc/Dockerfile\\.dockerignore -f apps/fixture-svc/Dockerfile \\.$`,
          'm',
        ),
      );
      expect(output).toMatch(
        /^buildah .* manifest push --all --format oci lucid-build-fixture-svc-\d+-[0-9a-f]+ oci:\S+\/staging\/buildah:build$/m,
      );
    });

    it('refuses an unknown platform', async () => {
      const { result, output } = await run({ platforms: ['linux/amd64', 'linux/riscv128'] });
      expect(result.success).toBe(false);
      expect(output).toContain('unknown platform "linux/riscv128"');
    });

    it('refuses a build-arg with a newline', async () => {
      const { result, output } = await run({ buildArgs: { NOTE: 'a\nb' } });
      expect(result.success).toBe(false);
      expect(output).toContain('build-arg NOTE contains a newline');
    });

    it('refuses a missing Dockerfile', async () => {
      const { result, output } = await run({ dockerfile: 'apps/nope/Dockerfile' });
      expect(result.success).toBe(false);
      expect(output).toContain('Dockerfile apps/nope/Dockerfile does not exist');
    });

    it('refuses invalid image name characters', async () => {
      const { result, output } = await run({}, 'Fixture_Svc!');
      expect(result.success).toBe(false);
      expect(output).toMatch(/invalid image name: invalid image repository "hamigames\/lucid\/Fixture_Svc!"/);
    });

    it('fails with the Dockerfile error createNodes found', async () => {
      const { result, output } = await run({ dockerfileError: 'apps/x/Dockerfile:3: unknown instruction "FORM"' });
      expect(result.success).toBe(false);
      expect(output).toContain('unknown instruction "FORM"');
    });

    it('names the install hint when the engine is not installed', async () => {
      const path = process.env.PATH;
      process.env.PATH = '/nonexistent';
      try {
        const { result, output } = await run({});
        expect(result.success).toBe(false);
        expect(output).toContain('buildah is not installed: apt-get install -y buildah');
      } finally {
        process.env.PATH = path;
      }
    });

    const emulated = registeredEmulators().has('qemu-aarch64');
    (emulated ? it.skip : it)('refuses a foreign-platform RUN step when no emulator is registered', async () => {
      write(
        'apps/runner/Dockerfile',
        'FROM gcr.io/lucid-test/base:1\nCOPY apps/runner/Dockerfile /d\nRUN echo built\n',
      );
      const { result, output } = await run({ dockerfile: 'apps/runner/Dockerfile' });
      expect(result.success).toBe(false);
      expect(output).toContain('apps/runner/Dockerfile:3: "RUN echo built" would run for linux/arm64');
      expect(output).toContain('update-binfmts --enable qemu-aarch64');
    });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayout } from '../oci/layout';
import {
  DEFAULT_FORBIDDEN_PATHS,
  DEFAULT_REQUIRED_LABELS,
  formatFinding,
  checkUser,
  normalizeRepositoryUrl,
} from './checks';
import { verifyImage, VerifyPolicy } from './verify-image';
import { HandMadeImage, writeLayout } from './testing/layer-builder';
import { addAttestations, SLSA_V02, SPDX } from '../oci/testing/attestations';

const REPO = 'https://github.com/hamigames/lucid';
const LABELS = {
  'org.opencontainers.image.source': REPO,
  'org.opencontainers.image.revision': 'a'.repeat(40),
  'org.opencontainers.image.version': '1.2.3',
  'org.opencontainers.image.created': '2025-01-01T00:00:00Z',
  'org.opencontainers.image.title': 'auth-service',
};
const policy: VerifyPolicy = {
  platforms: ['linux/amd64', 'linux/arm64'],
  forbiddenPaths: DEFAULT_FORBIDDEN_PATHS,
  requiredLabels: DEFAULT_REQUIRED_LABELS,
  sourceRepository: REPO,
};
const app = {
  entries: [
    { name: 'app/main.py', content: 'print(1)' },
    { name: 'etc/passwd', content: 'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin' },
  ],
};
const image = (
  over: Partial<HandMadeImage> = {},
  platform: HandMadeImage['platform'] = { os: 'linux', architecture: 'amd64' },
): HandMadeImage => ({
  platform,
  user: '65532:65532',
  labels: LABELS,
  layers: [app],
  ...over,
});

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lucid-verify-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(images: HandMadeImage[], p = policy) {
  const written = await writeLayout(dir, images);
  const report = await verifyImage(OciLayout.open(dir), p);
  return { ...written, report, lines: report.findings.map(formatFinding) };
}

describe('verifyImage on hand-made layouts', () => {
  it('passes a distroless-style two-platform image, plain and gzip layers alike', async () => {
    const { report } = await run([
      image(),
      image({ layers: [{ ...app, gzip: false }] }, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    ]);
    expect(report.findings).toEqual([]);
    expect(report.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(report.platforms[0].paths).toBe(4);
  });

  it('accepts BuildKit attestation manifests (unknown/unknown) and still checks every real platform', async () => {
    const shell = { entries: [{ name: 'bin/sh' }] };
    await writeLayout(dir, [image(), image({ layers: [app, shell] }, { os: 'linux', architecture: 'arm64' })]);
    const index = addAttestations(dir, [SLSA_V02, SPDX]);
    const report = await verifyImage(OciLayout.open(dir), policy);
    expect(report.index).toBe(index.digest);
    expect(report.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(report.findings.map(formatFinding)).toEqual([
      expect.stringMatching(/^\[linux\/arm64\] layer sha256:\w+ \/bin\/sh: shell or package manager/),
    ]);
  });

  it('attestations do not stand in for a missing platform', async () => {
    await writeLayout(dir, [image()]);
    addAttestations(dir);
    const lines = (await verifyImage(OciLayout.open(dir), policy)).findings.map(formatFinding);
    expect(lines).toEqual([
      '[linux/arm64]: configured platform linux/arm64 is missing from the image index (it has: linux/amd64)',
    ]);
  });

  it('a busybox symlink reached through a symlinked /bin is a shell, named with platform, layer and path', async () => {
    const { report, lines, layers } = await run([
      image({
        layers: [
          app,
          {
            entries: [
              { name: 'usr/bin/busybox' },
              { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
              { name: 'usr/bin/sh', type: 'symlink', linkname: 'busybox' },
            ],
          },
        ],
      }),
      image({}, { os: 'linux', architecture: 'arm64' }),
    ]);
    expect(report.findings.map((f) => f.path)).toEqual(['/bin/sh', '/bin/busybox']);
    expect(lines[0]).toBe(
      `[linux/amd64] layer ${layers[0][1]} /bin/sh: shell or package manager present in the final filesystem: /bin/sh is a symlink to busybox (resolves to /usr/bin/sh via /bin -> usr/bin)`,
    );
  });

  it('a shell removed by an opaque directory in a later layer passes; one re-added after it fails', async () => {
    const removed = [
      app,
      { entries: [{ name: 'bin/sh' }] },
      { entries: [{ name: 'bin/.wh..wh..opq' }, { name: 'bin/app' }] },
    ];
    expect(
      (await run([image({ layers: removed }), image({ layers: removed }, { os: 'linux', architecture: 'arm64' })]))
        .report.findings,
    ).toEqual([]);
    rmSync(dir, { recursive: true });
    const readded = [
      ...removed,
      { entries: [{ name: 'bin/dash' }, { name: 'bin/sh', type: 'link' as const, linkname: 'bin/dash' }] },
    ];
    const { report, layers } = await run([
      image({ layers: readded }),
      image({}, { os: 'linux', architecture: 'arm64' }),
    ]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'forbidden-path',
        platform: 'linux/amd64',
        layer: layers[0][3],
        path: '/bin/sh',
      }),
      expect.objectContaining({
        check: 'forbidden-path',
        platform: 'linux/amd64',
        layer: layers[0][3],
        path: '/bin/dash',
      }),
    ]);
  });

  it('reports a config that disagrees with the index, a missing platform, root and a foreign source label', async () => {
    const { lines } = await run([
      image({
        configPlatform: { os: 'linux', architecture: 'arm64' },
        user: 'root',
        labels: {
          ...LABELS,
          'org.opencontainers.image.source': 'https://github.com/someone/else',
          'org.opencontainers.image.title': '',
        },
      }),
    ]);
    expect(lines).toEqual([
      '[linux/arm64]: configured platform linux/arm64 is missing from the image index (it has: linux/amd64)',
      expect.stringMatching(
        /^\[linux\/amd64\] config sha256:[0-9a-f]{64}: the index lists this manifest as linux\/amd64 but its config says linux\/arm64$/,
      ),
      expect.stringMatching(/: the image runs as root: User is "root"/),
      expect.stringMatching(/: required label org.opencontainers.image.title is missing$/),
      expect.stringMatching(
        /: label org.opencontainers.image.source is "https:\/\/github.com\/someone\/else", expected the repository https:\/\/github.com\/hamigames\/lucid$/,
      ),
    ]);
  });

  it('uses the configurable path list', async () => {
    const images = [
      image({ layers: [app, { entries: [{ name: 'usr/bin/perl' }] }] }),
      image({}, { os: 'linux', architecture: 'arm64' }),
    ];
    expect((await run(images)).report.findings).toEqual([]);
    rmSync(dir, { recursive: true });
    expect(
      (await run(images, { ...policy, forbiddenPaths: ['/usr/bin/perl'] })).report.findings.map((f) => f.path),
    ).toEqual(['/usr/bin/perl']);
  });
});

describe('checkUser', () => {
  const cfg = (User?: string) => ({
    os: 'linux',
    architecture: 'amd64',
    config: User === undefined ? {} : { User },
    rootfs: { type: 'layers', diff_ids: [] },
  });
  it.each([[undefined], [''], ['0'], ['0:0'], ['root'], ['root:root']])('User %p is root', (u) => {
    expect(checkUser(cfg(u), 'linux/amd64', 'sha256:x')).toHaveLength(1);
  });
  it.each([['65532'], ['65532:65532'], ['nonroot'], ['1000:0']])('User %p is not root', (u) => {
    expect(checkUser(cfg(u), 'linux/amd64', 'sha256:x')).toEqual([]);
  });
});

it('normalizeRepositoryUrl ignores .git, trailing slash and case', () => {
  expect(normalizeRepositoryUrl('https://github.com/HamiGames/lucid.git/')).toBe(
    normalizeRepositoryUrl('https://github.com/hamigames/lucid'),
  );
  expect(normalizeRepositoryUrl('git@github.com:hamigames/lucid.git')).toBe('https://github.com/hamigames/lucid');
});

import { rmSync } from 'node:fs';
import { makeLayout, MadeLayout } from '../../e2e/support/make-layout';
import type { runProcess } from '../boundary/process';
import { PushOptions, pushBuiltImage } from './push-built-image';
import { pushOptions } from './testing/push-options';

const A = 'a.test:5000';
const B = 'b.test:5000';
const OLD = `sha256:${'a'.repeat(64)}`;

const options = (outputPath: string, over: Partial<PushOptions> = {}): PushOptions =>
  pushOptions(outputPath, { registries: [A, B], insecureRegistries: [A, B], ...over });

describe('pushBuiltImage to several registries (push-registries)', () => {
  let made: MadeLayout;
  let requests: string[];
  /** Two empty registries (GET /v2/ 200, every HEAD 404), except `versionOnB`: B's v1.2.3 names OLD. Writes answer 500. */
  const registries = (versionOnB: boolean) =>
    (async (url: string | URL, init?: RequestInit) => {
      const u = new URL(String(url));
      const method = init?.method ?? 'GET';
      requests.push(`${u.host} ${method} ${u.pathname}`);
      if (method === 'GET' && u.pathname === '/v2/') return new Response('{}', { status: 200 });
      if (versionOnB && u.host === B && method === 'HEAD' && u.pathname.endsWith('/manifests/v1.2.3'))
        return new Response(null, {
          status: 200,
          headers: { 'docker-content-digest': OLD, 'content-type': 'application/vnd.oci.image.index.v1+json' },
        });
      if (method === 'HEAD') return new Response(null, { status: 404 });
      return new Response('unexpected', { status: 500 });
    }) as typeof fetch;
  const noGit = (async () => ({ exitCode: 1, stdout: '', stderr: '' })) as unknown as typeof runProcess;
  const run = (over: Partial<PushOptions>, versionOnB = false, lines: string[] = []) =>
    pushBuiltImage(
      {
        workspaceRoot: made.root,
        project: 'api',
        tags: ['phase:3'],
        options: options(made.outputPath, over),
        siblings: [],
      },
      { env: {}, log: (l) => lines.push(l), run: noGit, client: { fetchImpl: registries(versionOnB) } },
    );
  const onlyReads = () => requests.every((r) => / (HEAD|GET) /.test(r));

  beforeEach(() => {
    made = makeLayout({ project: 'api', version: '1.2.3' });
    requests = [];
  });
  afterEach(() => rmSync(made.root, { recursive: true, force: true }));

  it('--dry-run plans the same digest and tags for each registry, every blob to upload to each, and writes nothing', async () => {
    const lines: string[] = [];
    const result = await run({ dryRun: true, releaseVersion: '1.2.3' }, false, lines);
    for (const host of [A, B]) {
      const image = `${host}/hamigames/lucid/api`;
      expect(lines).toContain(
        `[dry-run] would push ${image}@${result.digest} tags: v1.2.3, ${'c'.repeat(40)}, phase3-${'c'.repeat(40)} — ` +
          `blobs: ${result.blobs.total} to upload (${lines.join('\n').match(/to upload \(([^)]+)\)/)![1]}), 0 mounted, 0 already present (0 B); 0 retries`,
      );
      expect(requests.some((r) => r.startsWith(`${host} HEAD /v2/hamigames/lucid/api/blobs/`))).toBe(true);
    }
    expect(onlyReads()).toBe(true);
  });

  it('a version tag on another digest in the second registry refuses before anything is written to the first', async () => {
    const pushed = run({ releaseVersion: '1.2.3' }, true);
    await expect(pushed).rejects.toThrow(
      new RegExp(`${B.replace('.', '\\.')}/hamigames/lucid/api:v1\\.2\\.3 already names ${OLD}`),
    );
    expect(requests.some((r) => r.startsWith(`${A} `))).toBe(true);
    expect(onlyReads()).toBe(true);
    expect(requests.filter((r) => r.includes('/blobs/'))).toEqual([]);
  });

  it('--password-stdin with several registries is refused before any request (one password, several registries)', async () => {
    await expect(run({ passwordStdin: true })).rejects.toThrow(
      /--password-stdin gives one password.*a\.test:5000, b\.test:5000/,
    );
    expect(requests).toEqual([]);
  });
});

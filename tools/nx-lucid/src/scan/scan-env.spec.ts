/**
 * The inferred scan target does not hash the LUCID_* overrides (create-nodes.ts): a scan must then do exactly the
 * same with and without them, down to Trivy's arguments, Trivy's environment and every file it writes.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { runProcess } from '../boundary/process';
import { OVERRIDE_VALUES as OVERRIDES } from '../config/testing/env-overrides';
import { ScanDeps, scanImage } from './scan-image';
import { memoryPuller, scanOptions, TRIVY_FIXTURES } from './test-support';

async function scanWith(env: NodeJS.ProcessEnv) {
  const ws = mkdtempSync(join(tmpdir(), 'scan-env-'));
  const calls: Array<{ args: string[]; env: unknown }> = [];
  const lines: string[] = [];
  const deps: ScanDeps = {
    env: { PATH: '/usr/bin', HOME: '/home/ci', ...env },
    pull: memoryPuller,
    which: () => '/usr/bin/trivy',
    log: (l) => lines.push(l),
    logError: (l) => lines.push(l),
    run: (async (_command: string, args: string[], opts: { env?: unknown }) => {
      calls.push({ args, env: opts.env });
      if (args[0] === 'version') return { exitCode: 0, stdout: '{"Version":"0.58.0"}', stderr: '' };
      const sbom = args.includes('cyclonedx');
      const fixture = sbom ? 'fluentd-multiple-lockfiles-short.cdx.json' : 'debian-buster.json';
      copyFileSync(join(TRIVY_FIXTURES, fixture), args[args.indexOf('--output') + 1]);
      return { exitCode: 0, stdout: '', stderr: '' };
    }) as unknown as typeof runProcess,
  };
  try {
    const passed = await scanImage(
      {
        workspaceRoot: ws,
        project: 'api',
        options: scanOptions(),
      },
      deps,
    );
    const dir = join(ws, 'dist/containers/api/scan');
    const files = Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const path = join(e.parentPath, e.name);
          return [
            path.slice(dir.length),
            // sbom.cdx.json's serialNumber is a fresh UUID per SBOM, as CycloneDX means it.
            readFileSync(path, 'utf8').replace(/"(scannedAt|createdAt|time|serialNumber)":\s*"[^"]*"/g, ''),
          ];
        }),
    );
    // Only the temporary folders' names may differ.
    const text = JSON.stringify({ passed, calls, files, lines }).split(ws).join('WS');
    return JSON.parse(text.replace(/lucid-scan-[A-Za-z0-9]+/g, 'WORK')) as unknown;
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

describe('scan reads no LUCID_* override (so its target need not hash them)', () => {
  it('every override set: the same Trivy runs, environment, outcome and files as with none', async () => {
    const plain = await scanWith({});
    const overridden = await scanWith(OVERRIDES);
    expect(Object.keys((plain as { files: object }).files).length).toBeGreaterThan(1);
    expect(overridden).toEqual(plain);
  });
});

import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real Trivy CycloneDX output the stand-in replays for `--format cyclonedx` (src/scan/__fixtures__/trivy/SOURCES.md). */
export const FAKE_TRIVY_SBOM = join(
  __dirname,
  '..',
  '..',
  'src',
  'scan',
  '__fixtures__',
  'trivy',
  'fluentd-multiple-lockfiles-short.cdx.json',
);

/**
 * A temp dir holding the stand-in `trivy` and its fake-trivy.json settings. The scan gives Trivy an explicit
 * environment, so the stand-in is configured by this file, never by inherited variables. Put the dir on PATH.
 */
export function fakeTrivyBin(
  settings: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), 'fake-trivy-bin-')),
): string {
  copyFileSync(join(__dirname, 'fake-trivy', 'trivy'), join(dir, 'trivy'));
  chmodSync(join(dir, 'trivy'), 0o755);
  writeFileSync(
    join(dir, 'fake-trivy.json'),
    JSON.stringify({ FAKE_TRIVY_REQUIRE_FROM: join(__dirname, 'fake-trivy', 'trivy'), FAKE_TRIVY_SBOM, ...settings }),
  );
  return dir;
}

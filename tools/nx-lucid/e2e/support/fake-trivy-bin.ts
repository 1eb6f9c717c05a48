import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    JSON.stringify({ FAKE_TRIVY_REQUIRE_FROM: join(__dirname, 'fake-trivy', 'trivy'), ...settings }),
  );
  return dir;
}

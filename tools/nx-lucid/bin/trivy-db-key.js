#!/usr/bin/env node
// Nx runtime input of scan targets: what decides whether a cached scan result still holds.
// - With a shared DB ($LUCID_TRIVY_DB_DIR, scans run with --skip-db-update): Trivy's version and that DB's
//   UpdatedAt, so the same DB never rescans and a moved DB always does.
// - Without it each project's own cache dir updates its DB during the scan, which no key computed beforehand
//   can see: key on Trivy's version and the UTC day instead (an unchanged image is not rescanned the same day).
// - Trivy absent: a stable marker, so hashing never fails (the scan itself then fails with an install hint).
const { spawnSync } = require('node:child_process');

const dbDir = (process.env.LUCID_TRIVY_DB_DIR || '').trim();
const args = ['version', '--format', 'json', ...(dbDir ? ['--cache-dir', dbDir] : [])];
const r = spawnSync('trivy', args, { encoding: 'utf8', timeout: 20000 });
const day = new Date().toISOString().slice(0, 10);
if (r.error || r.status !== 0) {
  process.stdout.write('trivy:absent\n');
} else {
  let v;
  try {
    v = JSON.parse(r.stdout);
  } catch {
    v = undefined;
  }
  if (!v || typeof v.Version !== 'string') {
    process.stdout.write(`trivy:unparsed day:${day}\n`);
  } else {
    const db = v.VulnerabilityDB || {};
    process.stdout.write(
      dbDir && db.UpdatedAt
        ? `trivy:${v.Version} db:${db.Version}:${db.UpdatedAt}\n`
        : `trivy:${v.Version} day:${day}\n`,
    );
  }
}

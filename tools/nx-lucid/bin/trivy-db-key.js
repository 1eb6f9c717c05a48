#!/usr/bin/env node
// Nx runtime input of scan targets: what decides whether a cached scan result still holds.
// - With a shared DB ($LUCID_TRIVY_DB_DIR, scans run with --skip-db-update): Trivy's version and that DB's
//   UpdatedAt, so the same DB never rescans and a moved DB always does.
// - Without it each project's own cache dir updates its DB during the scan, which no key computed beforehand
//   can see: key on Trivy's version and the UTC day instead (an unchanged image is not rescanned the same day).
// - Trivy absent: a stable marker, so hashing never fails (the scan itself then fails with an install hint).
// Nx runs this on every scan and container-push with the caller's whole environment, registry passwords and CI
// tokens included. `trivy version` needs none of them: it gets an allow-list (what any process needs to run, and
// where Trivy's cache is), never a credential, and runs in an empty private dir so no trivy.yaml there applies.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const PASS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'XDG_CACHE_HOME', 'TRIVY_CACHE_DIR'];

function trivyVersionEnv(parent) {
  const env = {};
  for (const k of PASS) if (parent[k] !== undefined) env[k] = parent[k];
  return env;
}

function keyLine(r, dbDir) {
  const day = new Date().toISOString().slice(0, 10);
  if (r.error || r.status !== 0) return 'trivy:absent';
  let v;
  try {
    v = JSON.parse(r.stdout);
  } catch {
    v = undefined;
  }
  if (!v || typeof v.Version !== 'string') return `trivy:unparsed day:${day}`;
  const db = v.VulnerabilityDB || {};
  return dbDir && db.UpdatedAt
    ? `trivy:${v.Version} db:${db.Version}:${db.UpdatedAt}`
    : `trivy:${v.Version} day:${day}`;
}

const dbDir = (process.env.LUCID_TRIVY_DB_DIR || '').trim();
const args = ['version', '--format', 'json', ...(dbDir ? ['--cache-dir', dbDir] : [])];
const cwd = mkdtempSync(join(tmpdir(), 'lucid-trivy-key-'));
try {
  const r = spawnSync('trivy', args, { cwd, env: trivyVersionEnv(process.env), encoding: 'utf8', timeout: 20000 });
  process.stdout.write(keyLine(r, dbDir) + '\n');
} finally {
  rmSync(cwd, { recursive: true, force: true });
}

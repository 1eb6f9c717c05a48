#!/usr/bin/env node
// Nx runtime input for scan targets: the Trivy DB version, so a moved DB re-scans and the same DB does not.
// Prints a stable marker when Trivy is absent, so hashing never fails (the scan itself then fails loudly).
const { spawnSync } = require('node:child_process');
const r = spawnSync('trivy', ['version', '--format', 'json'], { encoding: 'utf8', timeout: 20000 });
if (r.error || r.status !== 0) {
  process.stdout.write('trivy:absent\n');
} else {
  try {
    const v = JSON.parse(r.stdout);
    const db = v.VulnerabilityDB || {};
    process.stdout.write(`trivy:${v.Version} db:${db.Version}:${db.UpdatedAt || ''}\n`);
  } catch {
    process.stdout.write(`trivy:unparsed:${r.stdout.trim()}\n`);
  }
}

#!/usr/bin/env node
/*
 * Nx runtime input of container-build: prints what a base image reference resolves to now, so a moved base tag
 * changes the cache key and rebuilds. Plain JS (no TypeScript loader) to keep hashing fast; the mirror rules
 * match src/build/plan.ts (mirrorReference), which a spec checks. Never fails: an unreachable registry prints
 * "unresolved:<ref>" (the build itself then fails with the real error).
 * Usage: node tools/nx-lucid/bin/base-digest.js <ref> [--print-pull-ref]
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function pluginOptions(root) {
  try {
    const nx = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
    const entry = (nx.plugins || []).find((p) => (typeof p === 'string' ? p : p.plugin) === '@lucid/nx-lucid');
    return (entry && typeof entry === 'object' && entry.options) || {};
  } catch {
    return {};
  }
}

function parseRef(ref) {
  let rest = ref.split('@')[0];
  const digest = ref.includes('@') ? ref.slice(ref.indexOf('@') + 1) : undefined;
  let tag;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0];
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: first, repository: rest.slice(first.length + 1), tag, digest };
  }
  return { registry: 'docker.io', repository: rest.includes('/') ? rest : `library/${rest}`, tag, digest };
}

function settings(env, options) {
  let mirrors = options.registryMirrors || {};
  let insecure = options.insecureRegistries || [];
  const m = (env.LUCID_REGISTRY_MIRRORS || '').trim();
  if (m) {
    mirrors = {};
    for (const pair of m.split(',')) {
      const [from, to] = pair.split('=');
      if (from && to) mirrors[from.trim()] = to.trim();
    }
  }
  const i = (env.LUCID_INSECURE_REGISTRIES || '').trim();
  if (i)
    insecure = i
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return { mirrors, insecure };
}

function pullRef(ref, mirrors) {
  const r = parseRef(ref);
  const host = mirrors[r.registry] ? mirrors[r.registry].replace(/\/+$/, '') : r.registry;
  return `${host}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

const CREDENTIAL_VAR =
  /PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|CREDENTIAL|_KEY$|^LUCID_REGISTRY_.+_USERNAME$|^DOCKER_AUTH_CONFIG$/i;

const ref = process.argv[2];
if (!ref) {
  process.stdout.write('unresolved:(no reference given)\n');
  process.exit(0);
}
const root = process.cwd();
const { mirrors, insecure } = settings(process.env, existsSync(join(root, 'nx.json')) ? pluginOptions(root) : {});
const pull = pullRef(ref, mirrors);
if (process.argv.includes('--print-pull-ref')) {
  process.stdout.write(`${pull}\n`);
  process.exit(0);
}
try {
  const tls = insecure.includes(parseRef(pull).registry) ? ['--tls-verify=false'] : [];
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--retry-times', '0', ...tls, `docker://${pull}`], {
    // skopeo reads registry credentials from its auth files, never from ours: the rule of src/boundary/process.ts childEnv.
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !CREDENTIAL_VAR.test(k))),
    timeout: 15000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  process.stdout.write(`${ref} ${pull}@sha256:${createHash('sha256').update(raw).digest('hex')}\n`);
} catch {
  process.stdout.write(`unresolved:${ref} ${pull}\n`);
}

#!/usr/bin/env node
/*
 * Transcribes docker/metadata-action's own tag test table (__tests__/meta.test.ts, with the GitHub contexts of
 * __tests__/fixtures/*.env and the event payloads they name) into
 * src/image/metadata-action/cases.json, which src/image/metadata-action.spec.ts runs against our tag engine.
 * Every case whose assertions include tags is kept: name, event context, tag and flavor inputs, and the tags
 * the action expects (its version {main, partial, latest} where the case asserts it). Payloads keep only the
 * fields the action's tag logic reads (PR number, head, base, base_ref, default branch, commit dates).
 * Usage: node tools/nx-lucid/scripts/port-metadata-action-cases.js <metadata-action checkout at v6.2.0>
 */
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const ts = require('typescript');

const OUT = join(__dirname, '..', 'src', 'image', 'metadata-action', 'cases.json');

/** A literal of the test file as JSON: strings, templates without ${}, numbers, arrays, objects, `as` casts. */
function literal(node) {
  if (ts.isAsExpression(node) || ts.isParenthesizedExpression(node)) return literal(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isIdentifier(node) && node.text === 'undefined') return undefined;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literal);
  if (ts.isObjectLiteralExpression(node)) {
    const out = {};
    for (const p of node.properties) {
      if (!ts.isPropertyAssignment(p)) throw new Error(`unsupported property at ${p.pos}`);
      out[ts.isIdentifier(p.name) ? p.name.text : literal(p.name)] = literal(p.initializer);
    }
    return out;
  }
  throw new Error(`unsupported literal ${ts.SyntaxKind[node.kind]} at ${node.pos}`);
}

/** describe(name, () => { test.each([...])(title, fn) }) → [{ group, rows, fnText }]. */
function tables(source) {
  const out = [];
  const visit = (node, group) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'describe') {
      group = node.arguments[0].text;
    }
    if (
      ts.isCallExpression(node) &&
      ts.isCallExpression(node.expression) &&
      node.expression.expression.getText(source) === 'test.each'
    ) {
      out.push({ group, rows: node.expression.arguments[0].elements, fnText: node.arguments[1].getText(source) });
      return;
    }
    ts.forEachChild(node, (child) => visit(child, group));
  };
  visit(source, undefined);
  return out;
}

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** Only what the action's tag logic reads from an event payload. */
function trimPayload(p) {
  const pick = (o, keys) =>
    o ? Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) : undefined;
  const out = pick(p, ['number', 'base_ref']);
  if (p.repository) out.repository = pick(p.repository, ['default_branch']);
  if (p.pull_request) {
    out.pull_request = {
      number: p.pull_request.number,
      head: pick(p.pull_request.head, ['sha', 'ref']),
      base: pick(p.pull_request.base, ['ref']),
    };
  }
  if (p.commits) out.commits = p.commits.map((c) => pick(c, ['id', 'timestamp']));
  if (p.head_commit) out.head_commit = pick(p.head_commit, ['id', 'timestamp']);
  return out;
}

const KEEP_ENV = ['GITHUB_EVENT_NAME', 'GITHUB_REF', 'GITHUB_SHA', 'GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH'];

function context(root, envFile, cache) {
  if (cache[envFile]) return;
  const full = parseEnv(readFileSync(join(root, '__tests__', 'fixtures', envFile), 'utf8'));
  const env = Object.fromEntries(KEEP_ENV.filter((k) => full[k] !== undefined).map((k) => [k, full[k]]));
  const eventPath = full.GITHUB_EVENT_PATH && resolve(root, full.GITHUB_EVENT_PATH);
  const payload = eventPath && existsSync(eventPath) ? trimPayload(JSON.parse(readFileSync(eventPath, 'utf8'))) : {};
  cache[envFile] = { env, payload };
}

/** The tag names of a list of image:tag references, in order, once each. */
function tagNames(refs) {
  return [...new Set(refs.map((r) => r.slice(r.lastIndexOf(':') + 1)))];
}

/** What a row asserts about tags, by the shape of its table's test function. */
function expected(group, fnText, row) {
  if (fnText === 'tagsLabelsTest' || group === 'pr-head-sha') {
    return { version: row[3], tags: row[4], tagNames: tagNames(row[4]) };
  }
  if (group === 'json') return { tags: row[3].tags, tagNames: row[3]['tag-names'] };
  if (group === 'bakeFile' || group === 'bakeFileTagsLabels') {
    const tags = Object.values(row[3].target)[0].tags;
    return { tags, tagNames: tagNames(tags) };
  }
  if (group === 'sepTags') {
    const tags = row[3].split(row[2].sepTags);
    return { tags, tagNames: tagNames(tags) };
  }
  return undefined;
}

function main() {
  const root = process.argv[2];
  if (!root) throw new Error('usage: port-metadata-action-cases.js <metadata-action checkout at v6.2.0>');
  const file = join(root, '__tests__', 'meta.test.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const contexts = {};
  const cases = [];
  for (const { group, rows, fnText } of tables(source)) {
    for (const node of rows) {
      const row = literal(node);
      const want = expected(group, fnText, row);
      if (!want) continue;
      const [name, envFile, inputs] = row;
      context(root, envFile, contexts);
      cases.push({
        group,
        name,
        envFile,
        ...(group === 'pr-head-sha' ? { extraEnv: { DOCKER_METADATA_PR_HEAD_SHA: 'true' } } : {}),
        images: inputs.images ?? [],
        ...(inputs.tags ? { tags: inputs.tags } : {}),
        ...(inputs.flavor ? { flavor: inputs.flavor } : {}),
        expected: want,
      });
    }
  }
  const repo = JSON.parse(readFileSync(join(root, '__tests__', 'fixtures', 'repo.json'), 'utf8'));
  const out = {
    source: 'docker/metadata-action v6.2.0 (dc802804100637a589fabce1cb79ff13a1411302), __tests__/meta.test.ts',
    licence: 'Apache-2.0 (see LICENSE beside this file)',
    generatedBy: 'tools/nx-lucid/scripts/port-metadata-action-cases.js',
    now: '2020-01-10T00:30:00.000Z',
    repoDefaultBranch: repo.default_branch,
    contexts,
    cases,
  };
  writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
  console.log(`${cases.length} cases, ${Object.keys(contexts).length} contexts → ${OUT}`);
}

main();

import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTrivyReport, TrivyReport } from './report';

/** The repo root is four levels up from src/scan; shared/ sits beside the repo (CI keeps a copy there too). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const TRIVY_FIXTURES = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'trivy');

export function fixtureText(name: string): string {
  return readFileSync(resolve(TRIVY_FIXTURES, name), 'utf8');
}
export function fixture(name: string): TrivyReport {
  return parseTrivyReport(fixtureText(name), name);
}
export function jsonFixtureNames(): string[] {
  return readdirSync(TRIVY_FIXTURES).filter((f) => f.endsWith('.json')).sort();
}

/** Validates SARIF against the vendored SARIF 2.1.0 JSON schema (draft-07), formats checked too. */
export function sarifValidator() {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Ajv = require('ajv').default as typeof import('ajv').default;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  const schema = JSON.parse(readFileSync(resolve(__dirname, '__fixtures__', 'sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

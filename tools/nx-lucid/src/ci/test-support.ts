import { validateWorkflow } from '@action-validator/core';
import { resolve } from 'node:path';
import type { CiWorkflowInput } from './input';

/** The repo root is four levels up from src/ci. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
/** The pins table: each action's release and commit as read from its own repository. */
export const ACTIONS_MD = resolve(__dirname, 'actions.md');

export const ciInput = (over: Partial<CiWorkflowInput> = {}): CiWorkflowInput => ({
  phases: [
    { phase: 1, services: ['auth-service', 'redis'] },
    { phase: 2, services: ['api-gateway'] },
    { phase: 4, services: ['tron-client', 'tron-staking', 'tron-usdt-manager', 'tron-wallet-manager'] },
  ],
  parallel: 3,
  sequentialPhases: false,
  arm64: 'qemu',
  runner: 'ubuntu-24.04',
  arm64Runner: 'ubuntu-24.04-arm',
  nodeVersion: '20',
  trivyVersion: 'v0.74.0',
  registry: 'ghcr.io',
  repository: 'hamigames/lucid',
  platforms: ['linux/amd64', 'linux/arm64'],
  outputRoot: 'dist/containers',
  defaultBranch: 'main',
  targets: { build: 'container-build', scan: 'scan', verify: 'container-verify', push: 'container-push' },
  isolationTask: 'lucid:isolation',
  phaseTagPrefix: 'phase:',
  remoteCache: 'self-hosted',
  ...over,
});

export const VARIANTS: Array<Partial<CiWorkflowInput>> = [
  {},
  { sequentialPhases: true },
  { arm64: 'native' },
  { arm64: 'native', sequentialPhases: true },
  { isolationTask: null, registry: 'registry.example.com', remoteCache: 'none' },
  { affected: 'nx', remoteCache: 'nx-cloud' },
];

/** A step and a job of a generated workflow as the specs read them back from YAML. */
export type WorkflowStep = {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
export type WorkflowJob = {
  name: string;
  if?: string;
  permissions?: Record<string, string>;
  needs?: string[];
  steps: WorkflowStep[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a matrix is YAML of arbitrary shape
  strategy?: { matrix: any };
  'runs-on': string;
  outputs?: Record<string, string>;
};

/**
 * The action-validator schema's errors for a workflow. action-validator 0.6.0 (the newest) carries a SchemaStore
 * snapshot older than GitHub's `attestations` permission scope and rejects it; actionlint 1.7.7, which knows it,
 * lints the same files (actionlint.spec.ts). So that one scope is left out of what the schema sees.
 */
export const schemaErrors = (text: string) => validateWorkflow(text.replace(/^ +attestations: write\n/gm, '')).errors;

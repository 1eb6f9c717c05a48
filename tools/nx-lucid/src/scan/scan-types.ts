/** The scan use case's request, options and injected dependencies: a leaf, so its steps can share them. */
import type { runProcess } from '../boundary/process';
import type { GateOptions } from '../config/options';
import type { ImagePuller } from './pull-image';

/** The scan executor's options (its zod schema sits beside the executor). */
export interface ScanOptions {
  outputPath: string;
  platforms?: string[];
  gate: GateOptions;
  imageRef?: string;
  insecureRegistries?: string[];
  platform?: string;
  cacheDir?: string;
  dbCacheDir?: string;
  sarif: 'auto' | 'trivy' | 'built-in';
  timeoutMinutes: number;
  dryRun: boolean;
}

export interface ScanRequest {
  workspaceRoot: string;
  project: string;
  options: ScanOptions;
}

export interface ScanDeps {
  env: NodeJS.ProcessEnv;
  run: typeof runProcess;
  which: (command: string) => string | undefined | null | false;
  log: (line: string) => void;
  logError: (line: string) => void;
  /** Pulls an image to scan by reference; default: our registry client (pull-image.ts registryPuller). */
  pull?: ImagePuller;
}

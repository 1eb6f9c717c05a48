/**
 * Whether this run only plans: --dry-run, or a task `nx release --dry-run` started (it sets NX_DRY_RUN=true for
 * every task, the build and scan its publish depends on included).
 */
export function isDryRun(options: { dryRun?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return options.dryRun === true || env.NX_DRY_RUN === 'true';
}

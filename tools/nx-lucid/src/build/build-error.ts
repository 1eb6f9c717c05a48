/** A build refused before anything ran: every problem found, one per line. */
export class BuildInputError extends Error {
  constructor(project: string, problems: string[]) {
    super(`container-build ${project}: nothing was built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BuildInputError';
  }
}

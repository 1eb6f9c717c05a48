/** A Dockerfile the plugin cannot trust: names the file and the 1-based line. */
export class DockerfileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'DockerfileError';
  }
}

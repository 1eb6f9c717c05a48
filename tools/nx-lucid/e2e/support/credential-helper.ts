/**
 * A stand-in `docker-credential-test` (a stand-in at a boundary: real helpers talk to a keychain, pass or a
 * cloud API; this one answers from a file). It speaks the docker-credential-helpers protocol: `get` with the
 * server URL on stdin, `{"ServerURL","Username","Secret"}` on stdout, "credentials not found" + exit 1 for an
 * unknown server. Every call appends its argv, environment and stdin to a record file, so tests can check
 * the secret was never put in a child's argv or environment.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HelperCall {
  argv: string[];
  env: Record<string, string>;
  stdin: string;
}

export interface StandInHelper {
  /** The folder holding docker-credential-test: put it on PATH. */
  binDir: string;
  calls(): HelperCall[];
}

export function writeCredentialHelper(
  binDir: string,
  entries: Record<string, { username: string; secret: string }>,
): StandInHelper {
  const store = join(binDir, 'store.json');
  const record = join(binDir, 'calls.jsonl');
  writeFileSync(store, JSON.stringify(entries), { mode: 0o600 });
  const script = `#!${process.execPath}
const fs = require('node:fs');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env, stdin: input }) + '\\n');
  const entry = JSON.parse(fs.readFileSync(${JSON.stringify(store)}, 'utf8'))[input.trim()];
  if (process.argv[2] !== 'get' || !entry) {
    process.stdout.write('credentials not found in native keychain\\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), Username: entry.username, Secret: entry.secret }));
});
`;
  const bin = join(binDir, 'docker-credential-test');
  writeFileSync(bin, script);
  chmodSync(bin, 0o755);
  return {
    binDir,
    calls: () =>
      existsSync(record)
        ? readFileSync(record, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as HelperCall)
        : [],
  };
}

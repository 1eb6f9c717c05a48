/**
 * Sigstore's services, stood in (a boundary stand-in: Fulcio, Rekor and a timestamp authority cannot be reached from
 * here): @sigstore/mock's CA, transparency log and TSA on loopback, signed through by the real @sigstore/sign client
 * (in a plain Node child, sigstore-stand-in-child.js), and the trusted_root.json naming their keys — what a verifier
 * is given instead of the public-good root. Spec and e2e only.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface SignerIdentity {
  /** The certificate's SAN, e.g. https://github.com/<owner>/<repo>/.github/workflows/<file>@refs/heads/main */
  subject: string;
  /** The OIDC issuer, e.g. https://token.actions.githubusercontent.com */
  issuer: string;
}

export interface SigstoreStandIn {
  url: string;
  /** A trusted_root.json (Sigstore's TrustedRoot, JSON form) naming the stand-in's CA, logs and TSA. */
  trustedRoot: object;
  /** Signs an in-toto statement: a DSSE bundle (v0.3) with a CA certificate, a log entry and a TSA timestamp. */
  signStatement(statement: object, identity: SignerIdentity): Promise<object>;
  close(): Promise<void>;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export async function startSigstoreStandIn(): Promise<SigstoreStandIn> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [join(__dirname, 'sigstore-stand-in-child.js')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const pending = new Map<number, { resolve: (b: object) => void; reject: (e: Error) => void }>();
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<{ url: string; trustedRoot: object }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Sigstore stand-in exited ${code}: ${stderr}`)));
    lines.once('line', (l) => resolve(JSON.parse(l) as { url: string; trustedRoot: object }));
  });
  const first = await ready;
  lines.on('line', (l) => {
    const answer = JSON.parse(l) as { id: number; bundle?: object; error?: string };
    const p = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.bundle) p?.resolve(answer.bundle);
    else p?.reject(new Error(answer.error));
  });
  let next = 0;
  return {
    ...first,
    signStatement: (statement, identity) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        child.stdin.write(`${JSON.stringify({ id, statement, identity })}\n`);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

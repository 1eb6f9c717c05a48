/**
 * Version tags under concurrency on one machine: two push processes of two different images (one workspace, so one
 * .lucid lock folder) are told to release the same new version at the same moment, 20 times, against a real
 * docker-registry. Every round has exactly one success; the loser's error names the tag and both digests; the tag
 * names the winner's index (read with skopeo).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeLayout } from './support/make-layout';
import { startRegistry, TestRegistry } from './support/registry';
import { skopeoManifest } from './support/registry-check';

const PROJECT = 'race-service';
const ROUNDS = 20;

interface Outcome {
  version: string;
  ok: boolean;
  digest?: string;
  error?: string;
}

function pusher(root: string, outputPath: string, host: string): { child: ChildProcess; next: () => Promise<Outcome> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'support', 'push-child.ts'), root, outputPath, PROJECT, host],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Outcome[] = [];
  const waiting: Array<(o: Outcome) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const o = JSON.parse(l) as Outcome;
    const w = waiting.shift();
    if (w) w(o);
    else lines.push(o);
  });
  const next = () =>
    new Promise<Outcome>((resolve) => {
      const o = lines.shift();
      if (o) resolve(o);
      else waiting.push(resolve);
    });
  return { child, next };
}

describe('version tags: 20 same-machine races of two images for one new version', () => {
  let reg: TestRegistry;
  let pushers: Array<ReturnType<typeof pusher>> = [];
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(async () => {
    for (const p of pushers) p.child.kill();
    await reg?.stop();
  });

  it('never reports two successes; the loser names both digests; the tag names the winner', async () => {
    const a = makeLayout({ project: PROJECT, platforms: ['linux/amd64'] });
    const b = makeLayout({ project: PROJECT, platforms: ['linux/amd64'] });
    // Both outputs in one workspace (as two checkouts' tasks would share a machine's .lucid only if one workspace).
    renameSync(join(b.root, b.outputPath), join(a.root, `${a.outputPath}-b`));
    pushers = [pusher(a.root, a.outputPath, reg.host), pusher(a.root, `${a.outputPath}-b`, reg.host)];
    const digests = [a.metadata.index.digest, b.metadata.index.digest];
    let doubleSuccesses = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const version = `1.${round}.0`;
      for (const p of pushers) p.child.stdin!.write(`${version}\n`);
      const outcomes = await Promise.all(pushers.map((p) => p.next()));
      const winners = outcomes.filter((o) => o.ok);
      if (winners.length > 1) doubleSuccesses++;
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((o) => !o.ok)!;
      expect(loser.error).toContain(`:v${version}`);
      for (const d of digests) expect(loser.error).toContain(d);
      expect((await skopeoManifest(reg.host, `hamigames/lucid/${PROJECT}:v${version}`)).digest).toBe(winners[0].digest);
    }
    expect(doubleSuccesses).toBe(0);
  });
});

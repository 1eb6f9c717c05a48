import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../boundary/process';
import { contextPreflight, ContextPreflightRequest } from './context-preflight';

let ws: string;
const write = (file: string, content = 'x\n') => {
  mkdirSync(dirname(join(ws, file)), { recursive: true });
  writeFileSync(join(ws, file), content);
};
const check = (dockerfile: string, more: Partial<ContextPreflightRequest> = {}) =>
  contextPreflight({ workspaceRoot: ws, dockerfile, context: '.', buildArgs: {}, ...more });

beforeEach(async () => {
  ws = mkdtempSync(join(tmpdir(), 'lucid-preflight-'));
  await runProcess('git', ['init', '-q'], { cwd: ws });
  write('.gitignore', 'configs/environment/\n');
  write('libs/common/a.py');
  write('apps/svc/main.py');
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('context preflight', () => {
  it('passes when every source of the built stages is in the context', async () => {
    write('apps/svc/Dockerfile', 'FROM alpine\nCOPY libs/common/ /l/\nCOPY apps/svc/*.py /app/\nCOPY . /all\n');
    expect(await check('apps/svc/Dockerfile')).toEqual([]);
  });

  it('a missing source: file:line, the source and the context', async () => {
    write('apps/svc/Dockerfile', 'FROM alpine\nRUN true\nCOPY apps/svc/requirements.txt libs/common/ /app/\n');
    expect(await check('apps/svc/Dockerfile')).toEqual([
      'apps/svc/Dockerfile:3: COPY apps/svc/requirements.txt: not in the build context . (the workspace root) (apps/svc/requirements.txt does not exist)',
    ]);
  });

  it('a git-ignored source says so and points to build secrets', async () => {
    write('apps/svc/Dockerfile', 'FROM alpine\nCOPY configs/environment/.env.secrets /app/.env\n');
    const [line] = await check('apps/svc/Dockerfile');
    expect(line).toMatch(
      /^apps\/svc\/Dockerfile:2: COPY configs\/environment\/.env.secrets: not in the build context /,
    );
    expect(line).toContain('git ignores it');
    expect(line).toContain('RUN --mount=type=secret');
  });

  it('resolves sources in the context, ARGs and build args applied; a glob that matches nothing fails', async () => {
    write('apps/svc/Dockerfile', 'FROM alpine\nARG SRC=main.py\nCOPY ${SRC} /app/\nADD *.txt /app/\n');
    expect(await check('apps/svc/Dockerfile', { context: 'apps/svc' })).toEqual([
      'apps/svc/Dockerfile:4: ADD *.txt: not in the build context apps/svc (no file matches it)',
    ]);
    expect(await check('apps/svc/Dockerfile', { context: 'apps/svc', buildArgs: { SRC: 'gone.py' } })).toHaveLength(2);
  });

  it('only the stages the target needs; an unknown variable is left to the engine', async () => {
    const text = [
      'FROM alpine AS deps',
      'COPY missing-one /x',
      'FROM alpine AS app',
      'COPY apps/svc/main.py /app/',
      'COPY $FROM_BASE_IMAGE /y',
      'FROM alpine AS other',
      'COPY missing-two /z',
    ].join('\n');
    write('apps/svc/Dockerfile', text);
    expect(await check('apps/svc/Dockerfile', { target: 'app' })).toEqual([]);
    const last = await check('apps/svc/Dockerfile');
    expect(last.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['apps/svc/Dockerfile:7']);
    write('apps/svc/Dockerfile', `${text}\nCOPY --from=deps /x /x\n`);
    expect((await check('apps/svc/Dockerfile')).map((l) => l.split(': ')[1])).toEqual([
      'COPY missing-one',
      'COPY missing-two',
    ]);
  });

  it('a source the ignore file excludes is not in the context; "!" re-includes it', async () => {
    write('apps/svc/Dockerfile', 'FROM alpine\nCOPY apps/svc/main.py /app/\nCOPY libs/common/a.py /l/\n');
    write('apps/svc/Dockerfile.dockerignore', 'apps/svc/*.py\nlibs\n!libs/common/a.py\n');
    expect(await check('apps/svc/Dockerfile', { ignoreFile: 'apps/svc/Dockerfile.dockerignore' })).toEqual([
      'apps/svc/Dockerfile:2: COPY apps/svc/main.py: not in the build context . (the workspace root) (excluded by apps/svc/Dockerfile.dockerignore)',
    ]);
  });
});

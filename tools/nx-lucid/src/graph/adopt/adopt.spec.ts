import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pluginOptionsSchema } from '../../config/options';
import { planAdoption } from './adopt';
import type { CatalogueEntry } from './catalogue';
import { adoptionReport, adoptionWarnings } from './report';

let ws: string;
function plan(files: Record<string, string>, catalogue: CatalogueEntry[]) {
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, f)), { recursive: true });
    writeFileSync(join(ws, f), c);
  }
  const listed = Object.keys(files).filter((f) => /Dockerfile|compose/.test(f));
  return planAdoption(ws, listed, catalogue, pluginOptionsSchema.parse({}));
}
const service = (name: string, ...dockerfiles: string[]): CatalogueEntry => ({
  name,
  phase: 3,
  scope: 'x',
  dockerfiles,
});

beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'lucid-adopt-'))));
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('init checks what it maps', () => {
  it('takes the first candidate that parses and whose sources exist; warns with the file and reason of each it skipped', () => {
    const p = plan(
      {
        'auth/Dockerfile': 'FROM python:3 AS builder\nRUN true\nFROM python:3 AS builder\nCOPY --from=builder /a /a\n',
        'infra/Dockerfile.auth': 'FROM python:3\nCOPY auth/app.py /app/\n',
        'auth/app.py': '',
        'sessions/Dockerfile.recorder': 'FROM python:3\nCOPY sessions/rec.py /app/\nCOPY oops\n',
        'apps/recorder/Dockerfile': 'FROM python:3\nCOPY apps/recorder/missing.py /app/\n',
      },
      [
        service('auth-service', 'auth/Dockerfile', 'infra/Dockerfile.auth'),
        service('recorder', 'sessions/Dockerfile.recorder', 'apps/recorder/Dockerfile'),
      ],
    );
    expect(p.mapped.map((m) => `${m.service} <- ${m.dockerfile}`)).toEqual([
      'auth-service <- infra/Dockerfile.auth',
      'recorder <- apps/recorder/Dockerfile',
    ]);
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /^auth-service: skipped auth\/Dockerfile: auth\/Dockerfile:4: circular dependency detected on stage: builder/,
      ),
      'recorder: skipped sessions/Dockerfile.recorder: sessions/Dockerfile.recorder:3: COPY needs at least one source and a destination',
      expect.stringMatching(
        /^recorder <- apps\/recorder\/Dockerfile, which cannot build as it is: apps\/recorder\/Dockerfile:2: COPY apps\/recorder\/missing.py: not in the build context/,
      ),
    ]);
    expect(adoptionWarnings(p)).toContain('3 catalogue mapping warning(s)');
  });

  it('a compose context the sources are not under is corrected to the folder they are under, and said so', () => {
    const p = plan(
      {
        'admin/docker-compose.yml': 'services:\n  admin:\n    build:\n      context: .\n      target: runtime\n',
        'admin/Dockerfile':
          'FROM python:3 AS runtime\nCOPY admin/requirements.txt /r.txt\nCOPY admin/ /app/\nFROM runtime AS test\nCOPY tests/ /t/\n',
        'admin/requirements.txt': '',
      },
      [service('admin-interface', 'admin/Dockerfile')],
    );
    expect(p.correctedContexts).toEqual([{ dockerfile: 'admin/Dockerfile', from: 'admin', to: '.' }]);
    // Compose's target is honoured: the test stage (which COPYs a missing tests/) is not built.
    expect(p.projects['admin/Dockerfile']).toEqual({
      name: 'admin-interface',
      tags: ['phase:3', 'scope:x', 'type:service'],
      target: 'runtime',
      context: '.',
    });
    expect(p.warnings).toEqual([]);
    expect(adoptionReport(p)).toContain('  admin/Dockerfile: admin -> .');
  });

  it('a service whose only candidate is broken is still mapped, with a warning naming file, line and reason', () => {
    const p = plan({ 'x/Dockerfile': 'FROM Alpine\n' }, [service('x', 'x/Dockerfile')]);
    expect(p.mapped).toHaveLength(1);
    expect(p.warnings).toEqual([
      'x <- x/Dockerfile, which cannot build as it is: x/Dockerfile:1: failed to parse stage name "Alpine": invalid reference format: repository name (library/Alpine) must be lowercase',
    ]);
  });

  it('a compose target that names no stage is a problem of that mapping, named with its compose file', () => {
    const p = plan(
      {
        'node/docker-compose.yml':
          'services:\n  node:\n    build:\n      context: ..\n      dockerfile: node/Dockerfile.node\n      target: distroless\n',
        'node/Dockerfile.node': 'FROM python:3 AS builder\nFROM gcr.io/distroless/python3\n',
      },
      [service('node-management', 'node/Dockerfile.node')],
    );
    expect(p.projects['node/Dockerfile.node'].target).toBe('distroless');
    expect(p.warnings).toEqual([
      'node-management <- node/Dockerfile.node, which cannot build as it is: target "distroless" is not a stage of node/Dockerfile.node (its named stages: builder) (node/docker-compose.yml)',
    ]);
  });
});

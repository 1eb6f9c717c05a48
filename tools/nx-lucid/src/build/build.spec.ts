import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildOptions, BuildRequest, prepareBuild } from './build';

const options = (over: Partial<BuildOptions> = {}): BuildOptions => ({
  outputPath: 'dist/containers/api',
  dockerfile: 'apps/api/Dockerfile',
  context: '.',
  registry: 'ghcr.io',
  repository: 'hamigames/lucid',
  platforms: ['linux/amd64'],
  engine: 'auto',
  buildCache: { type: 'none', mode: 'max' },
  attestations: { provenance: true, sbom: true },
  registryMirrors: {},
  insecureRegistries: [],
  buildArgs: {},
  phaseTagPrefix: 'phase:',
  dryRun: false,
  ...over,
});

/** Checks prepareBuild makes before it selects an engine or runs anything (the use case's own input validation). */
describe('prepareBuild (the build use case): input problems', () => {
  let ws: string;
  const request = (over: Partial<BuildOptions> = {}, env: NodeJS.ProcessEnv = {}): BuildRequest => ({
    workspaceRoot: ws,
    project: 'api',
    projectRoot: 'apps/api',
    tags: ['phase:1'],
    options: options(over),
    env,
    log: () => undefined,
    deps: { run: () => Promise.reject(new Error('no process may run')) },
  });
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'build-uc-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('a Dockerfile createNodes could not analyse fails the build with its error', async () => {
    await expect(
      prepareBuild(request({ dockerfileError: 'apps/api/Dockerfile:1: unknown instruction "FORM"' })),
    ).rejects.toThrow(
      /container-build api: nothing was built:\n {2}- apps\/api\/Dockerfile:1: unknown instruction "FORM"/,
    );
  });

  it('reports every bad input together: platform, image name, missing Dockerfile', async () => {
    const error = await prepareBuild(request({ platforms: ['linux/riscv128'], repository: 'Bad_Repo!' })).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toContain('unknown platform "linux/riscv128"');
    expect((error as Error).message).toContain('invalid image name');
    expect((error as Error).message).toContain('Dockerfile apps/api/Dockerfile does not exist');
  });

  it('LUCID_PLATFORMS overrides the options (and is checked like them); set but empty it is an error', async () => {
    await expect(prepareBuild(request({}, { LUCID_PLATFORMS: 'linux/amd64' }))).rejects.toThrow(
      /Dockerfile apps\/api\/Dockerfile does not exist/,
    );
    await expect(prepareBuild(request({}, { LUCID_PLATFORMS: '' }))).rejects.toThrow(
      /LUCID_PLATFORMS is set but empty/,
    );
    await expect(prepareBuild(request({}, { LUCID_REGISTRY: ' ' }))).rejects.toThrow(/LUCID_REGISTRY is set but empty/);
  });

  it('secrets: a missing file or unset variable is a problem that names neither value nor content', async () => {
    const error = await prepareBuild(
      request(
        {
          secrets: [
            { id: 'pip', src: 'configs/pip.conf' },
            { id: 'token', env: 'LUCID_TEST_UNSET_TOKEN' },
            { id: 'pip', env: 'HOME' },
          ],
        },
        { HOME: '/root' },
      ),
    ).catch((e: Error) => e);
    const message = (error as Error).message;
    expect(message).toContain('secret pip: file configs/pip.conf does not exist');
    expect(message).toContain('secret token: environment variable LUCID_TEST_UNSET_TOKEN is not set');
    expect(message).toContain('secret id "pip" is given twice');
    expect(message).not.toContain('/root');
  });
});

import type { ExecutorContext } from '@nx/devkit';
import { z } from 'zod';
import { ExecutorSpec, prepareRun, runExecutor } from './run-executor';

const schema = z.object({ outputPath: z.string().min(1), dryRun: z.boolean().default(false) }).strict();
const context = (projectName?: string, configured = true): ExecutorContext =>
  ({
    root: '/ws',
    cwd: '/ws',
    projectName,
    isVerbose: false,
    projectsConfigurations: {
      version: 2,
      projects: configured && projectName ? { [projectName]: { root: `apps/${projectName}`, tags: ['phase:2'] } } : {},
    },
  }) as unknown as ExecutorContext;

describe('runExecutor', () => {
  let info: string[];
  let errors: string[];
  const spec = (project: ExecutorSpec<typeof schema>['project']): ExecutorSpec<typeof schema> => ({
    name: 'demo',
    schema,
    project,
    sinks: { info: (l) => info.push(l), error: (l) => errors.push(l) },
  });
  const saved = process.env.GHCR_TOKEN;
  beforeEach(() => {
    info = [];
    errors = [];
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GHCR_TOKEN;
    else process.env.GHCR_TOKEN = saved;
  });

  it('parses the options with defaults, looks the project up, and logs as [project] …', async () => {
    const result = await runExecutor(spec('configured'), { outputPath: 'dist/x' }, context('api'), async (run) => {
      expect(run).toMatchObject({
        options: { outputPath: 'dist/x', dryRun: false },
        project: 'api',
        projectRoot: 'apps/api',
        tags: ['phase:2'],
        workspaceRoot: '/ws',
      });
      run.log('hello');
      run.print('$ plain command');
      return true;
    });
    expect(result).toEqual({ success: true });
    expect(info).toEqual(['[api] hello', '$ plain command']);
  });

  it('a body that reports failure fails without an error line', async () => {
    expect(await runExecutor(spec('optional'), { outputPath: 'o' }, context(), async () => false)).toEqual({
      success: false,
    });
    expect(errors).toEqual([]);
  });

  it('bad options fail with every bad field named, before the body runs', async () => {
    const body = jest.fn(async () => true);
    expect(await runExecutor(spec('optional'), { outputPath: '', extra: 1 }, context('api'), body)).toEqual({
      success: false,
    });
    expect(body).not.toHaveBeenCalled();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^@lucid\/nx-lucid:demo \(api\): invalid options for @lucid\/nx-lucid:demo:/);
    expect(errors[0]).toContain('outputPath');
    expect(errors[0]).toContain('extra');
  });

  it('an unknown project is refused when the executor needs one', async () => {
    expect(() => prepareRun(spec('configured'), { outputPath: 'o' }, context('ghost', false))).toThrow(
      /unknown project "ghost"/,
    );
    expect(() => prepareRun(spec('named'), { outputPath: 'o' }, context(undefined))).toThrow(
      /@lucid\/nx-lucid:demo needs a project/,
    );
    expect(prepareRun(spec('named'), { outputPath: 'o' }, context('loose', false)).projectRoot).toBe('.');
  });

  it('a thrown error becomes one line with environment tokens redacted', async () => {
    process.env.GHCR_TOKEN = 'ghp_wrappersecret42';
    const result = await runExecutor(spec('optional'), { outputPath: 'o' }, context('api'), async () => {
      throw new Error('registry said: bad credentials ghp_wrappersecret42');
    });
    expect(result).toEqual({ success: false });
    expect(errors).toEqual(['@lucid/nx-lucid:demo (api): registry said: bad credentials ***']);
  });
});

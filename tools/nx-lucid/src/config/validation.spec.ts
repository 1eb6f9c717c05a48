import { schema as pushSchema } from '../nx/executors/push/options';
import { schema as scanSchema } from '../nx/executors/scan/options';
import { normalizePluginOptions, parseOptionsWith } from './options';
import { staysInWorkspace } from './validation';

/** The error text for plugin options, or '' when they pass. */
const pluginError = (raw: unknown) => {
  try {
    normalizePluginOptions(raw);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('option validation: bad inputs get a specific message', () => {
  it.each([
    [{ outputRoot: '../outside' }, /outputRoot: must stay inside the workspace/],
    [{ outputRoot: '/tmp/x' }, /outputRoot: must stay inside the workspace/],
    [
      { projects: { 'apps/a/Dockerfile': { context: '../../etc' } } },
      /projects\.apps\/a\/Dockerfile\.context: must stay inside/,
    ],
    [
      { projects: { 'apps/a/Dockerfile': { context: '/etc' } } },
      /projects\.apps\/a\/Dockerfile\.context: must stay inside/,
    ],
    [{ gate: { ignoreFile: '../../.trivyignore' } }, /gate\.ignoreFile: must stay inside the workspace/],
    [{ buildContext: '..' }, /buildContext: must stay inside the workspace/],
    [{ targetNames: { build: '' } }, /targetNames\.build: a target name must not be empty/],
    [{ targetNames: { push: 'push it' } }, /targetNames\.push: a target name must not contain whitespace/],
    [{ latestOnBranch: '' }, /latestOnBranch: a branch name must not be empty/],
    [{ latestOnBranch: 'feature..x' }, /latestOnBranch: not a valid git branch name/],
    [
      { registryMirrors: { 'gcr.io': 'http://x y' } },
      /registryMirrors\.gcr\.io: a mirror is host\[:port\]\[\/path\] without a scheme/,
    ],
    [{ platforms: Array(10_000).fill('linux/amd64') }, /platforms\.1: platform linux\/amd64 is listed more than once/],
  ])('%#: %s', (raw, message) => {
    const error = pluginError(raw);
    expect(error).toMatch(message);
    // One line per problem: 10,000 repeats are one message.
    expect(error.split('\n')).toHaveLength(2);
  });

  it('accepts the defaults and ordinary values', () => {
    expect(pluginError({})).toBe('');
    expect(
      pluginError({
        outputRoot: 'dist/containers',
        buildContext: '.',
        projects: { 'apps/a/Dockerfile': { context: 'apps/a/../a' } },
        registryMirrors: { 'gcr.io': 'mirror.example:5000/gcr.io' },
        latestOnBranch: 'release/2026-12',
      }),
    ).toBe('');
  });

  it('executor options: the scan cache dir, the image reference, the output path', () => {
    const scan = (o: object) => () => parseOptionsWith(scanSchema, { outputPath: 'dist/containers/a', ...o }, 'scan');
    expect(scan({ cacheDir: '/etc' })).toThrow(/cacheDir: must stay inside the workspace/);
    expect(scan({ imageRef: 'ghcr.io/Org/App:latest' })).toThrow(
      /imageRef: invalid image reference "ghcr.io\/Org\/App:latest"/,
    );
    expect(scan({ imageRef: 'ghcr.io/org/app@sha256:abc' })).toThrow(/imageRef: invalid digest/);
    expect(scan({ imageRef: 'ghcr.io/org/app:1.0' })).not.toThrow();
    const push = (o: object) => () => parseOptionsWith(pushSchema, o, 'push');
    expect(push({ outputPath: '../../elsewhere' })).toThrow(/outputPath: must stay inside the workspace/);
    expect(push({ outputPath: 'dist/a', platforms: ['linux/amd64', 'linux/amd64'] })).toThrow(
      /platforms\.1: platform linux\/amd64 is listed more than once/,
    );
  });

  it('staysInWorkspace', () => {
    expect(['.', 'a/b', 'a/../b', './x'].map(staysInWorkspace)).toEqual([true, true, true, true]);
    expect(['..', '../x', 'a/../../x', '/etc', 'C:\\x', 'a\\..\\..'].map(staysInWorkspace)).toEqual(
      Array(6).fill(false),
    );
  });
});

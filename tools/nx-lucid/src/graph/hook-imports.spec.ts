import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Nx loads the plugin entry in a worker for every graph computation: it must not pull in @nx/devkit (~500
 * modules; Nx's own logger and plain 'static'/'implicit' strings are all the hooks need).
 */
describe('the graph hooks’ module load', () => {
  it('loading the plugin entry loads no @nx/devkit', () => {
    const script = [
      `const plugin = require(${JSON.stringify(join(__dirname, '..', 'index.ts'))});`,
      `if (typeof plugin.createNodes[1] !== 'function' || typeof plugin.createDependencies !== 'function') process.exit(2);`,
      `const loaded = Object.keys(require.cache).filter((f) => f.includes('/node_modules/@nx/devkit/'));`,
      `console.log(JSON.stringify(loaded));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: join(__dirname, '..', '..', '..', '..'),
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});

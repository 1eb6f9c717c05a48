import { spawnSync } from 'node:child_process';
import { processAlive } from './process';

describe('processAlive', () => {
  it('is true for a running process and false once it has exited and been reaped', () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    expect(child.status).toBe(0);
    expect(processAlive(child.pid!)).toBe(false);
  });
});

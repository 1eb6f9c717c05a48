/*
 * Preloaded (NODE_OPTIONS=-r) into every Node process of a benched Nx command: the Nx process and each plugin
 * worker append their own user and system CPU time (ms) to LUCID_BENCH_CPU_FILE when they exit. Their sum is the
 * command's CPU cost, which a loaded machine stretches far less than its wall time.
 */
'use strict';
const { appendFileSync } = require('node:fs');

const file = process.env.LUCID_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, userMs: user / 1000, systemMs: system / 1000 })}\n`);
  });
}

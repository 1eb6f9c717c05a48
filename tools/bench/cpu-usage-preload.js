/*
 * Preloaded (NODE_OPTIONS=-r) into every Node process of a benched Nx command: the Nx process and each plugin
 * worker append their own user and system CPU time (ms) to LUCID_BENCH_CPU_FILE when they exit. Their sum is the
 * command's CPU cost, which a loaded machine stretches far less than its wall time. Nx ends its batch workers with
 * SIGTERM, which skips 'exit' handlers: the signal is recorded too, then the process ends as the signal would.
 */
'use strict';
const { appendFileSync } = require('node:fs');

const file = process.env.LUCID_BENCH_CPU_FILE;
if (file) {
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    const { user, system } = process.cpuUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, userMs: user / 1000, systemMs: system / 1000 })}\n`);
  };
  process.on('exit', record);
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      record();
      process.kill(process.pid, signal);
    });
  }
}

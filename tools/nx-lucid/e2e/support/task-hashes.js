#!/usr/bin/env node
/*
 * Prints {"<project>:<target>": "<hash>"} for one target of every project that has it, computed by Nx's own task
 * hasher (the one `nx run-many` uses to look up its cache), without running anything.
 * Usage (cwd = the workspace): node task-hashes.js <target>
 */
'use strict';
const { createProjectGraphAsync } = require('nx/src/project-graph/project-graph');
const { readNxJson } = require('nx/src/config/nx-json');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');

async function main() {
  const target = process.argv[2] || 'container-build';
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const projects = Object.keys(graph.nodes).filter(
    (p) => graph.nodes[p].data.targets && graph.nodes[p].data.targets[target],
  );
  const taskGraph = createTaskGraph(graph, {}, projects, [target], undefined, {});
  const hasher = createTaskHasher(graph, readNxJson(), {});
  const tasks = Object.values(taskGraph.tasks).filter((t) => t.target.target === target);
  const hashes = await hasher.hashTasks(tasks, taskGraph, Object.fromEntries(tasks.map((t) => [t.id, process.env])));
  const out = {};
  tasks.forEach((t, i) => (out[t.id] = hashes[i].value));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);

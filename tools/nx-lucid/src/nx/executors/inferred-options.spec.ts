/**
 * The inferred targets leave out plugin-wide option values equal to their executor's own default: each executor
 * must then parse the slim options into exactly what it parsed from the full ones (every value spelled out, as
 * createNodes wrote them before), for the default plugin options and for options that differ from every default.
 */
import type { z } from 'zod';
import { normalizePluginOptions, PluginOptions, PluginOptionsInput } from '../../config/options';
import { containerTargets } from '../../graph/create-nodes';
import { analyzeContainerProject } from '../../graph/project-analysis';
import { RELEASE_PUBLISH_TARGET } from '../../graph/release-publish-target';
import { schema as build } from './build/options';
import { schema as scan } from './scan/options';
import { schema as verify } from './verify/options';
import { schema as push } from './push/options';
import { schema as release } from './release/options';
import { schema as releasePublish } from './release-publish/options';

const files: Record<string, string> = { 'apps/api/Dockerfile': 'FROM scratch\nCOPY apps/api/src /app\n' };
const project = analyzeContainerProject(
  { exists: (p) => p in files, read: (p) => files[p] },
  { root: 'apps/api', dockerfile: 'apps/api/Dockerfile' },
);

/** The options every target carried before: each plugin-wide value spelled out. */
function fullOptions(o: PluginOptions, name: string): Record<string, Record<string, unknown>> {
  const shared = {
    registry: o.registry,
    ...(o.registries ? { registries: o.registries } : {}),
    repository: o.repository,
    platforms: o.platforms,
    outputPath: `${o.outputRoot}/${name}`,
  };
  const pushOptions = {
    ...shared,
    latestOnBranch: o.latestOnBranch,
    insecureRegistries: o.insecureRegistries,
    tags: o.tags,
    phaseTagPrefix: o.phaseTagPrefix,
  };
  return {
    build: {
      ...shared,
      dockerfile: project.dockerfile,
      context: project.context,
      engine: o.engine,
      buildCache: o.buildCache,
      attestations: o.attestations,
      registryMirrors: o.registryMirrors,
      insecureRegistries: o.insecureRegistries,
      phaseTagPrefix: o.phaseTagPrefix,
    },
    scan: { ...shared, gate: o.gate, insecureRegistries: o.insecureRegistries },
    verify: { ...shared },
    push: pushOptions,
    release: { ...shared, insecureRegistries: o.insecureRegistries },
    publish: pushOptions,
  };
}

const schemas: Record<string, z.ZodType> = { build, scan, verify, push, release, publish: releasePublish };

function compare(input: PluginOptionsInput) {
  const options = normalizePluginOptions(input);
  const t = options.targetNames;
  const targets = containerTargets(project, 'api', options);
  const slim: Record<string, unknown> = {
    build: targets[t.build].options,
    scan: targets[t.scan].options,
    verify: targets[t.verify].options,
    push: targets[t.push].options,
    release: targets[t.release].options,
    publish: targets[RELEASE_PUBLISH_TARGET].options,
  };
  const full = fullOptions(options, 'api');
  for (const [executor, schema] of Object.entries(schemas)) {
    expect({ executor, options: schema.parse(slim[executor]) }).toEqual({
      executor,
      options: schema.parse(full[executor]),
    });
  }
  return slim as Record<string, Record<string, unknown>>;
}

describe('inferred target options: only what the executor would not default to', () => {
  it('default plugin options: every executor parses the slim options as it parsed the full ones', () => {
    const slim = compare({});
    // …and the defaults are really left out (this is what keeps the project graph small).
    expect(Object.keys(slim.build).sort()).toEqual(['context', 'dockerfile', 'outputPath']);
    // …except scan's gate: scan's cache key holds no plugin code, so the gate must be in its options (the hash)
    // for a changed default threshold to re-run the scans.
    // No repository by default (createNodes fills in the workspace's own: src/graph/workspace-repository.ts).
    expect(Object.keys(slim.scan).sort()).toEqual(['gate', 'outputPath', 'platforms', 'registry']);
    expect(Object.keys(slim.push).sort()).toEqual(['outputPath', 'platforms', 'registry']);
    expect(Object.keys(slim.release).sort()).toEqual(['outputPath', 'platforms', 'registry']);
    expect(Object.keys(slim.verify).sort()).toEqual(['outputPath', 'registry']);
  });

  it("this workspace's nx.json options (defaults spelled out) give the same slim targets", () => {
    const given = compare({
      registry: 'ghcr.io',
      repository: 'hamigames/lucid',
      platforms: ['linux/amd64', 'linux/arm64'],
      engine: 'auto',
      gate: { cvssThreshold: 7, severity: 'CRITICAL', ignoreUnfixed: false },
      latestOnBranch: 'main',
    });
    // The repository has no default: it is passed on; everything else equals the defaults and is left out.
    expect(given).toEqual(compare({ repository: 'hamigames/lucid' }));
    expect(given.build.repository).toBe('hamigames/lucid');
  });

  it('options that differ from every default are all passed on', () => {
    const slim = compare({
      registry: 'registry.example:5000',
      registries: ['registry.example:5000', 'mirror.example'],
      repository: 'acme/app',
      platforms: ['linux/arm64'],
      engine: 'buildah',
      buildCache: { type: 'registry', mode: 'min' },
      attestations: { provenance: false, sbom: true },
      registryMirrors: { 'gcr.io': 'mirror.example/gcr.io' },
      insecureRegistries: ['registry.example:5000'],
      gate: { cvssThreshold: 9, severity: 'HIGH', ignoreUnfixed: true },
      latestOnBranch: 'trunk',
      tags: [{ type: 'sha', format: 'short', prefix: 'git-' }],
      phaseTagPrefix: 'stage:',
    });
    expect(slim.build).toMatchObject({
      registry: 'registry.example:5000',
      engine: 'buildah',
      buildCache: { type: 'registry', mode: 'min' },
      registryMirrors: { 'gcr.io': 'mirror.example/gcr.io' },
    });
    expect(slim.push).toMatchObject({
      latestOnBranch: 'trunk',
      insecureRegistries: ['registry.example:5000'],
      phaseTagPrefix: 'stage:',
    });
    expect(slim.build).toMatchObject({ phaseTagPrefix: 'stage:' });
    expect(slim.scan).toMatchObject({ insecureRegistries: ['registry.example:5000'] });
    expect(slim.scan.gate).toMatchObject({ cvssThreshold: 9 });
  });
});

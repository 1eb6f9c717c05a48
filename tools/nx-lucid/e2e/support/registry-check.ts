/**
 * Independent checks of what is in a registry: skopeo (not our client) for tags and raw manifests,
 * and plain fetch for the walk tags → index → manifests → blobs.
 */
import type { ExecutorContext } from '@nx/devkit';
import { createHash } from 'node:crypto';
import { runProcess } from '../../src/boundary/process';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export async function skopeoTags(host: string, repo: string): Promise<string[]> {
  const r = await runProcess('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/${repo}`], {
    allowFailure: true,
  });
  if (r.exitCode !== 0) {
    if (/name unknown|repository name not known|NAME_UNKNOWN|404 \(Not Found\)/i.test(r.stderr)) return [];
    throw new Error(`skopeo list-tags failed: ${r.stderr}`);
  }
  return ((JSON.parse(r.stdout) as { Tags?: string[] }).Tags ?? []).sort();
}

/** The manifest a reference names, read by skopeo: its digest and parsed content. */
export async function skopeoManifest(
  host: string,
  ref: string,
): Promise<{
  digest: string;
  manifest: { manifests?: Array<{ digest: string; platform?: { os: string; architecture: string } }> };
}> {
  const r = await runProcess('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/${ref}`]);
  return {
    digest: `sha256:${createHash('sha256').update(Buffer.from(r.stdout, 'utf8')).digest('hex')}`,
    manifest: JSON.parse(r.stdout),
  };
}

/** `skopeo inspect` of one architecture's image in an OCI layout: its config and layers as skopeo reads them. */
export async function skopeoInspectLayout(
  layout: string,
  architecture: string,
): Promise<{ Digest: string; Architecture: string; Layers: string[]; Labels?: Record<string, string> }> {
  const args = ['inspect', '--override-os', 'linux', '--override-arch', architecture, `oci:${layout}`];
  return JSON.parse((await runProcess('skopeo', args)).stdout);
}

export async function catalog(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/v2/_catalog`)).json()) as { repositories?: string[] };
  return (body.repositories ?? []).sort();
}

/** Every repository's tags → digest, read with skopeo: a before/after picture of the registry. */
export async function registryState(host: string, url: string): Promise<Record<string, Record<string, string>>> {
  const state: Record<string, Record<string, string>> = {};
  for (const repo of await catalog(url)) {
    state[repo] = {};
    for (const tag of await skopeoTags(host, repo))
      state[repo][tag] = (await skopeoManifest(host, `${repo}:${tag}`)).digest;
  }
  return state;
}

/**
 * Walks every tag of every repository: tag → manifest (index → each child manifest) → config and
 * layers, with HEAD. Returns the problems found (a tag naming an image whose parts are missing).
 */
export async function findIncompleteTags(url: string): Promise<string[]> {
  const problems: string[] = [];
  const get = (u: string) => fetch(u, { headers: { Accept: ACCEPT } });
  for (const repo of await catalog(url)) {
    const tags = ((await (await get(`${url}/v2/${repo}/tags/list`)).json()) as { tags?: string[] | null }).tags ?? [];
    for (const tag of tags) {
      const walk = async (ref: string, path: string): Promise<void> => {
        const res = await get(`${url}/v2/${repo}/manifests/${ref}`);
        if (res.status !== 200) {
          problems.push(`${repo}:${tag}: ${path} ${ref} → HTTP ${res.status}`);
          return;
        }
        const m = (await res.json()) as {
          manifests?: Array<{ digest: string }>;
          config?: { digest: string };
          layers?: Array<{ digest: string }>;
        };
        for (const child of m.manifests ?? []) await walk(child.digest, `${path} → manifest`);
        for (const blob of [...(m.config ? [m.config] : []), ...(m.layers ?? [])]) {
          const head = await fetch(`${url}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
          if (head.status !== 200) problems.push(`${repo}:${tag}: blob ${blob.digest} → HTTP ${head.status}`);
        }
      };
      await walk(tag, 'tag');
    }
  }
  return problems;
}

/** An executor context for a project with the given tags, in a workspace whose projects all push. */
export function executorContext(
  root: string,
  project: string,
  opts: { tags?: string[]; siblings?: string[] } = {},
): ExecutorContext {
  const pushTarget = { executor: '@lucid/nx-lucid:push' };
  const projects: Record<string, unknown> = {};
  for (const name of [project, ...(opts.siblings ?? [])]) {
    projects[name] = {
      root: `apps/${name}`,
      tags: name === project ? (opts.tags ?? ['phase:2']) : ['phase:1'],
      targets: { 'container-push': pushTarget },
    };
  }
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName: project,
    targetName: 'container-push',
    projectsConfigurations: { version: 2, projects },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as unknown as ExecutorContext;
}

/** Unit-spec stand-ins for the push use case: a registry that has nothing, and a process runner with no git. */
import type { runProcess } from '../../boundary/process';

/**
 * A registry that has nothing: GET /v2/ answers 200, every HEAD 404; anything else answers 500 (a test failure).
 * Every request is recorded as "METHOD /path" in `requests`.
 */
export function emptyRegistryFetch(requests: string[]): typeof fetch {
  return (async (url: string | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    requests.push(`${method} ${new URL(String(url)).pathname}`);
    if (method === 'GET' && new URL(String(url)).pathname === '/v2/') return new Response('{}', { status: 200 });
    if (method === 'HEAD') return new Response(null, { status: 404 });
    return new Response('unexpected', { status: 500 });
  }) as typeof fetch;
}

/** Every git call fails, as outside a repository: the push falls back to its options and metadata. */
export const noGit = (async () => ({ exitCode: 1, stdout: '', stderr: '' })) as unknown as typeof runProcess;

/**
 * A use case's deps against the empty registry, quiet and without git; every request goes into the list
 * `requests()` returns at that moment (tests replace their list before each case).
 */
export function emptyRegistryDeps(requests: () => string[], env: NodeJS.ProcessEnv = {}) {
  const fetchImpl = (async (url: string | URL, init?: RequestInit) =>
    emptyRegistryFetch(requests())(url, init)) as typeof fetch;
  return { env, log: () => undefined, run: noGit, client: { fetchImpl } };
}

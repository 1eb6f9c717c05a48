// The plain patterns, not the zod schemas: the graph hooks parse every FROM through here and load no zod.
import { REGISTRY_MESSAGE, REGISTRY_PATTERN, REPOSITORY_MESSAGE, REPOSITORY_PATTERN } from '../config/names';
import { DIGEST } from '../oci/digest-pattern';

/** Image name without tag: <registry>/<repository>/<service>, e.g. ghcr.io/hamigames/lucid/auth-service. */
export function imageName(registry: string, repository: string, service: string): string {
  if (!REGISTRY_PATTERN.test(registry)) throw new Error(`invalid registry "${registry}": ${REGISTRY_MESSAGE}`);
  if (!REPOSITORY_PATTERN.test(`${repository}/${service}`)) {
    throw new Error(`invalid image repository "${repository}/${service}": ${REPOSITORY_MESSAGE}`);
  }
  return `${registry}/${repository}/${service}`;
}

/** The repository path inside the registry, e.g. hamigames/lucid/auth-service. */
export function repositoryPath(repository: string, service: string): string {
  return `${repository}/${service}`;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** OCI distribution tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
export function assertTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new Error(
      `invalid tag "${tag}": a tag is 1-128 characters of A-Z a-z 0-9 _ . - and must not start with . or -`,
    );
  }
  return tag;
}

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses registry/repo[:tag][@sha256:…]. A name without a registry host is Docker Hub's, as Docker does it. */
export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`invalid digest in image reference "${ref}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = assertTag(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0];
  let registry = 'docker.io';
  let repository = rest;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(first.length + 1);
  } else if (!rest.includes('/')) {
    repository = `library/${rest}`;
  }
  if (!REPOSITORY_PATTERN.test(repository)) throw new Error(`invalid image reference "${ref}": ${REPOSITORY_MESSAGE}`);
  return { registry, repository, tag, digest };
}

export function formatImageReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

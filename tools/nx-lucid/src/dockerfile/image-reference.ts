/**
 * A FROM image as BuildKit's dockerfile2llb reads it (resolveBaseImage → distribution/reference
 * ParseNormalizedNamed): a familiar name gets docker.io/library/, the repository path must be lower case, and the
 * whole reference must match the reference grammar (distribution/reference regexp.go). BuildKit checks every
 * stage's base this way, reachable from the target or not.
 */
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(
  `^(${NAME})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** distribution/reference splitDockerDomain: the registry part, docker.io for a familiar name. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: 'docker.io', remainder: `library/${name}` };
  const maybeDomain = name.slice(0, slash);
  const isDomain = maybeDomain === 'localhost' || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain;
  if (!isDomain) return { domain: 'docker.io', remainder: name };
  const remainder = name.slice(slash + 1);
  const library = maybeDomain === 'docker.io' && !remainder.includes('/');
  return { domain: maybeDomain, remainder: library ? `library/${remainder}` : remainder };
}

/** Why BuildKit refuses this base image reference, or undefined when it parses. */
export function imageReferenceProblem(image: string): string | undefined {
  const fail = (reason: string) => `failed to parse stage name "${image}": ${reason}`;
  if (IDENTIFIER.test(image))
    return fail(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(image);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote)
    return fail(`invalid reference format: repository name (${remote}) must be lowercase`);
  const full = `${domain}/${remainder}`;
  const match = REFERENCE.exec(full);
  if (!match) return fail('invalid reference format');
  if (match[1].length - domain.length - 1 > 255) return fail('repository name must not be more than 255 characters');
  return undefined;
}

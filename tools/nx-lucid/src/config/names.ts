/**
 * Registry and repository name rules as plain patterns, so the graph hooks can check an image reference without
 * loading zod (options.ts builds its schemas from these; image/naming.ts checks references with them).
 */

/** Registry host[:port], lowercase; no scheme. */
export const REGISTRY_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/;
export const REGISTRY_MESSAGE = 'registry must be a lowercase host[:port] without scheme, e.g. ghcr.io';

/** Repository path: lowercase components separated by `/` (OCI distribution's name grammar). */
export const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const REPOSITORY_MESSAGE = 'repository must be lowercase path components (a-z, 0-9, . _ -), e.g. acme/shop';

/** The one digest pattern (every schema, reference parser and check uses it), in a module without zod. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

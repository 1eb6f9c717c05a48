/**
 * The options schema lives in options.ts: under Nx, `require('./schema')` resolves schema.json before
 * schema.ts, so the executor imports ./options. This file exists for bin/gen-schemas.ts.
 */
export * from './options';

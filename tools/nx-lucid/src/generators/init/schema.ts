// The zod schema lives in options.ts: at run time Node resolves `./schema` to schema.json (.json is tried
// before .ts), so the generator must not import this file. gen-schemas reads it to write schema.json.
export { schema, title, description } from './options';

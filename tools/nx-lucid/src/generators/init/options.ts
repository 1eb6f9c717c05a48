import { z } from 'zod';

export const title = 'Init generator';
export const description = 'Register @lucid/nx-lucid in nx.json with its default options. Idempotent; an existing registration is left as it is.';

export const schema = z
  .object({
    /** Registry host for the defaults written to nx.json. */
    registry: z.string().optional(),
    /** Repository path for the defaults written to nx.json, e.g. my-org/my-repo. */
    repository: z.string().optional(),
  })
  .strict();

export type InitGeneratorOptions = z.infer<typeof schema>;

import { z } from 'zod';
import { catalogueEntrySchema } from '../../../graph/adopt/catalogue';

export const title = 'Init generator';
export const description =
  'Register @lucid/nx-lucid in nx.json and adopt the repository: names, phases and scopes for the catalogued services, build contexts, cycle breaks. Idempotent; an existing registration is left as it is.';

export const schema = z
  .object({
    /** Registry host for the defaults written to nx.json. */
    registry: z.string().optional(),
    /** Repository path for the defaults written to nx.json, e.g. my-org/my-repo. */
    repository: z.string().optional(),
    /** Services to map to Dockerfiles (default: the seed's 29); set in nx.json generators["@lucid/nx-lucid:init"]. */
    catalogue: z.array(catalogueEntrySchema).optional(),
  })
  .strict();

export type InitGeneratorOptions = z.infer<typeof schema>;

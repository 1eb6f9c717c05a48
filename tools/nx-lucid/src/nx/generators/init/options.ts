import { z } from 'zod';
import { pluginOptionDescription } from '../../../config/options';
import { catalogueEntrySchema } from '../../../graph/adopt/catalogue';

export const title = 'Init generator';
export const description =
  'Register @lucid/nx-lucid in nx.json and adopt the repository: names, phases and scopes for the catalogued services, build contexts, cycle breaks. Idempotent; an existing registration is left as it is.';

export const schema = z
  .object({
    registry: z
      .string()
      .optional()
      .describe(`Written to nx.json as the plugin option: ${pluginOptionDescription('registry')}`),
    repository: z
      .string()
      .optional()
      .describe(`Written to nx.json as the plugin option: ${pluginOptionDescription('repository')}`),
    catalogue: z
      .array(catalogueEntrySchema)
      .optional()
      .describe(
        'Services to map to Dockerfiles (default: the seed\'s 29); set in nx.json generators["@lucid/nx-lucid:init"].',
      ),
  })
  .strict();

export type InitGeneratorOptions = z.infer<typeof schema>;

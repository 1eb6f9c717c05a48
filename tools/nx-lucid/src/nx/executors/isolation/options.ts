import { z } from 'zod';
import { isolationRuleSchema } from '../../../isolation/rules';

export const title = 'Isolation executor';
export const description =
  'Check tag rules over the whole project graph, directly and transitively; an image is judged by the files its Dockerfile reads (a leaf: not what that folder builds) and the images it FROMs (transitively). A violation names the rule, the full path and the Dockerfile lines.';

export const schema = z
  .object({
    /** The rules; see src/isolation/rules.ts. A project is subject to a rule when it has sourceTag, every onlyFor tag and no except tag. */
    rules: z.array(isolationRuleSchema).min(1, 'configure at least one rule'),
    /**
     * Tags of workspace folders, for files no tagged project owns (a folder of variant Dockerfiles): an image that
     * reads anything in the folder is judged as reaching a project with these tags.
     */
    pathTags: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .default({})
      .describe(
        'Tags of workspace folders, e.g. {"payment_systems/tron": ["scope:tron"]}: an image whose Dockerfile reads a file in the folder (or the folder, or a folder above it) reaches these tags.',
      ),
    /** Accepted for symmetry with the other targets: the check only reads the graph. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type IsolationExecutorOptions = z.infer<typeof schema>;

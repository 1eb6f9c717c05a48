import { z } from 'zod';
import { isolationRuleSchema } from '../../../isolation/rules';

export const title = 'Isolation executor';
export const description =
  'Check tag rules over the whole project graph, directly and transitively; an image is judged by the files its Dockerfile reads (a leaf: not what that folder builds) and the images it FROMs (transitively). A violation names the rule, the full path and the Dockerfile lines.';

export const schema = z
  .object({
    rules: z
      .array(isolationRuleSchema)
      .min(1, 'configure at least one rule')
      .describe(
        'The tag rules. A project is subject to a rule when it has sourceTag, every onlyFor tag and no except tag; it must then carry every requireTags tag and reach (directly or transitively) no project with a notDependOnTransitively tag and only projects with an onlyDependOnTransitively tag.',
      ),
    pathTags: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .default({})
      .describe(
        'Tags of workspace folders, e.g. {"payment_systems/tron": ["scope:tron"]}: an image whose Dockerfile reads a file in the folder (or the folder, or a folder above it) reaches these tags.',
      ),
    dryRun: z
      .boolean()
      .default(false)
      .describe('Accepted for symmetry with the other targets: the check only reads the graph.'),
  })
  .strict();

export type IsolationExecutorOptions = z.infer<typeof schema>;

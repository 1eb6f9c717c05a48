import { z } from 'zod';
import { isolationRuleSchema } from '../../../isolation/rules';

export const title = 'Isolation executor';
export const description =
  'Check tag rules over the whole project graph (Dockerfile COPY/FROM dependencies included), directly and transitively; a violation names the rule and the full dependency path.';

export const schema = z
  .object({
    rules: z
      .array(isolationRuleSchema)
      .min(1, 'configure at least one rule')
      .describe(
        'The tag rules. A project is subject to a rule when it has sourceTag, every onlyFor tag and no except tag; it must then carry every requireTags tag and reach (directly or transitively) no project with a notDependOnTransitively tag and only projects with an onlyDependOnTransitively tag.',
      ),
    dryRun: z
      .boolean()
      .default(false)
      .describe('Accepted for symmetry with the other targets: the check only reads the graph.'),
  })
  .strict();

export type IsolationExecutorOptions = z.infer<typeof schema>;

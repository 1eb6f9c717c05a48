import { z } from 'zod';

export const title = 'Service generator';
export const description =
  'Create apps/<name>: a phase-tagged Python service on lucid-common with a distroless multi-stage COPY-only Dockerfile, its .dockerignore, a smoke test and a README.';

export const schema = z
  .object({
    name: z
      .string()
      .describe(
        'Project and folder name under apps/: lowercase letters, digits and single dashes, starting with a letter.',
      )
      .meta({ $default: { $source: 'argv', index: 0 }, 'x-prompt': 'Service name (e.g. billing-service)?' }),
    phase: z
      .number()
      .int()
      .positive()
      .describe('The CI phase the service is built in (the tag <phaseTagPrefix><N>, phase:<N> by default).')
      .meta({ 'x-prompt': 'Phase (1-4, or a new one)?' }),
    scope: z
      .string()
      .optional()
      .describe(
        'Scope tag (scope:<scope>); a libs/<scope>-common library, if there is one, is copied into the image. Default: the name.',
      ),
    description: z.string().optional().describe("One line for pyproject.toml, the README and main.py's docstring."),
    skipCi: z
      .boolean()
      .default(false)
      .describe(
        'Do not regenerate .github/workflows (by default they are regenerated with their recorded options, when present).',
      ),
  })
  .strict();

export type ServiceGeneratorOptions = z.infer<typeof schema>;

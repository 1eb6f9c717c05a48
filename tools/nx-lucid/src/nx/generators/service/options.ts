import { z } from 'zod';

export const title = 'Service generator';
export const description =
  'Create apps/<name>: a phase-tagged Python service on lucid-common with a distroless multi-stage COPY-only Dockerfile, its .dockerignore, a smoke test and a README.';

export const schema = z
  .object({
    /** Project and folder name under apps/: lowercase letters, digits and single dashes, starting with a letter. */
    name: z
      .string()
      .meta({ $default: { $source: 'argv', index: 0 }, 'x-prompt': 'Service name (e.g. billing-service)?' }),
    /** The CI phase the service is built in (tag phase:<N>). */
    phase: z.number().int().positive().meta({ 'x-prompt': 'Phase (1-4, or a new one)?' }),
    /** Scope tag (scope:<scope>); a libs/<scope>-common library, if there is one, is copied into the image. Default: the name. */
    scope: z.string().optional(),
    /** One line for pyproject.toml, the README and main.py's docstring. */
    description: z.string().optional(),
    /** Do not regenerate .github/workflows (by default they are regenerated with their recorded options, when present). */
    skipCi: z.boolean().default(false),
  })
  .strict();

export type ServiceGeneratorOptions = z.infer<typeof schema>;

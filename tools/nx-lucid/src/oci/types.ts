import { z } from 'zod';
import { digestSchema } from './digest';

export const platformObjectSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  platform: platformObjectSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
  artifactType: z.string().optional(),
});

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
  subject: descriptorSchema.optional(),
});

export const imageConfigSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.object({}).passthrough()).nullish(),
    })
    .passthrough()
    .optional(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }),
  history: z.array(z.object({}).passthrough()).optional(),
});

export type Platform = z.infer<typeof platformObjectSchema>;
export type Descriptor = z.infer<typeof descriptorSchema>;
export type ImageIndex = z.infer<typeof indexSchema>;
export type ImageManifest = z.infer<typeof manifestSchema>;
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/**
 * os/arch[/variant], normalised as containerd does: arm64's default variant v8 (and amd64's v1) is dropped,
 * so an index entry labelled linux/arm64/v8 (as Debian-based bases are) matches a configured linux/arm64.
 */
/** Folder- and tag-safe form of a platform: linux/arm/v7 → linux-arm-v7 (build staging dirs, cache tags, scan files). */
export function platformSlug(platform: string): string {
  return platform.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

export function platformString(p: Platform): string {
  const defaultVariant =
    (p.architecture === 'arm64' && p.variant === 'v8') || (p.architecture === 'amd64' && p.variant === 'v1');
  return `${p.os}/${p.architecture}${p.variant && !defaultVariant ? `/${p.variant}` : ''}`;
}

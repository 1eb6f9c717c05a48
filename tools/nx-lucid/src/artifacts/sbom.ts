/**
 * scan/sbom.cdx.json: one CycloneDX SBOM per image index (what `container-push` pushes and CI attests), made by
 * the scan from Trivy's CycloneDX output of each platform. Its root (metadata.component) is the image index; each
 * platform image is a component under it, and every package Trivy found on that platform is a component whose
 * bom-ref starts with the platform (`linux/arm64|pkg:deb/…`: unique in the BOM, while `purl` stays Trivy's) and
 * which carries the property `lucid:platform`. Only the fields readers rely on are checked; the rest passes
 * through as Trivy wrote it.
 */
import { z } from 'zod';

/** What actions/attest accepts as CycloneDX (bomFormat, serialNumber, specVersion) plus what we read. */
const property = z.object({ name: z.string(), value: z.string() });
export const componentSchema = z
  .object({
    'bom-ref': z.string().min(1).optional(),
    type: z.string().min(1),
    name: z.string(),
    version: z.string().optional(),
    purl: z.string().startsWith('pkg:', 'a package URL starts with pkg:').optional(),
    properties: z.array(property).optional(),
  })
  .passthrough();
const dependencySchema = z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() }).passthrough();

export const cycloneDxSchema = z
  .object({
    bomFormat: z.literal('CycloneDX'),
    specVersion: z.string().regex(/^1\.[0-9]+$/, 'expected a CycloneDX 1.x version'),
    serialNumber: z.string().regex(/^urn:uuid:[0-9a-f-]{36}$/i, 'expected urn:uuid:<uuid>'),
    version: z.number().int().positive(),
    metadata: z.object({ component: componentSchema }).passthrough(),
    components: z.array(componentSchema).default([]),
    dependencies: z.array(dependencySchema).default([]),
  })
  .passthrough();
export type CycloneDx = z.infer<typeof cycloneDxSchema>;
export type BomComponent = z.infer<typeof componentSchema>;
export type BomDependency = z.infer<typeof dependencySchema>;

export const SBOM_FILE = 'sbom.cdx.json';
/** Property naming the platform a component was found on. */
export const PLATFORM_PROPERTY = 'lucid:platform';

/** One platform's share of the SBOM: its image component, its packages, their dependency edges. */
export interface SbomPart {
  platform: string;
  image: BomComponent & { 'bom-ref': string };
  components: BomComponent[];
  dependencies: BomDependency[];
}

export interface SbomRoot {
  /** registry/repository/name, no tag. */
  image: string;
  /** The image index digest. */
  digest: string | null;
  specVersion: string;
  schema?: unknown;
  tools?: unknown;
  serialNumber: string;
  timestamp: string;
}

/** A package URL for an image (purl-spec pkg:oci): the last path segment, the digest, the repository. */
export function ociPurl(image: string, digest: string | null, qualifiers: Record<string, string> = {}): string {
  const name = image.split('/').pop()!.toLowerCase();
  const query = new URLSearchParams({ ...qualifiers, repository_url: image.toLowerCase() }).toString();
  return `pkg:oci/${name}${digest ? `@${encodeURIComponent(digest)}` : ''}?${query}`;
}

/** The SBOM of an index: the root, then each platform's image and packages. */
export function assembleSbom(root: SbomRoot, parts: readonly SbomPart[]): CycloneDx {
  const rootRef = root.digest ? `${root.image}@${root.digest}` : root.image;
  const platforms = parts.map((p) => p.platform);
  const refs = new Set<string>();
  for (const c of parts.flatMap((p) => [p.image, ...p.components])) {
    const ref = c['bom-ref'];
    if (ref && refs.has(ref)) throw new Error(`SBOM: bom-ref ${ref} appears twice (platform parts overlap)`);
    if (ref) refs.add(ref);
  }
  return {
    ...(root.schema ? { $schema: root.schema } : {}),
    bomFormat: 'CycloneDX',
    specVersion: root.specVersion,
    serialNumber: root.serialNumber,
    version: 1,
    metadata: {
      timestamp: root.timestamp,
      ...(root.tools ? { tools: root.tools } : {}),
      component: {
        'bom-ref': rootRef,
        type: 'container',
        name: root.image,
        ...(root.digest ? { version: root.digest, purl: ociPurl(root.image, root.digest) } : {}),
        properties: platforms.map((value) => ({ name: PLATFORM_PROPERTY, value })),
      },
    },
    components: parts.flatMap((p) => [p.image, ...p.components]),
    dependencies: [
      { ref: rootRef, dependsOn: parts.map((p) => p.image['bom-ref']) },
      ...parts.flatMap((p) => p.dependencies),
    ],
  };
}

/**
 * The platform parts of an SBOM this module assembled (native arm64 CI merges one per platform): the root and
 * its edge left out, everything else as it is.
 */
export function sbomParts(sbom: CycloneDx, file: string): SbomPart[] {
  const rootRef = sbom.metadata.component['bom-ref'];
  const rootEdges = sbom.dependencies.find((d) => d.ref === rootRef)?.dependsOn ?? [];
  return rootEdges.map((imageRef) => {
    const image = sbom.components.find((c) => c['bom-ref'] === imageRef);
    const platform = image?.properties?.find((p) => p.name === PLATFORM_PROPERTY)?.value;
    if (!image || !platform) throw new Error(`${file}: ${imageRef} is not a platform image component of this SBOM`);
    const prefix = `${platform}|`;
    return {
      platform,
      image: image as SbomPart['image'],
      components: sbom.components.filter((c) => c['bom-ref']?.startsWith(prefix)),
      dependencies: sbom.dependencies.filter((d) => d.ref === imageRef || d.ref.startsWith(prefix)),
    };
  });
}

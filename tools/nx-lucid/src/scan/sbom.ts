/**
 * Trivy's CycloneDX output (`trivy image --format cyclonedx`, one per platform) → the platform parts of
 * scan/sbom.cdx.json (artifacts/sbom.ts). Trivy's own root component (the scanned platform image) becomes the
 * platform's image component; its packages keep their purl and properties and get a platform-unique bom-ref.
 * Vulnerabilities are not carried over: they are in report.json, and an SBOM should not change with the DB.
 */
import { randomUUID } from 'node:crypto';
import { formatIssues } from '../config/options';
import {
  assembleSbom,
  BomComponent,
  BomDependency,
  CycloneDx,
  cycloneDxSchema,
  ociPurl,
  PLATFORM_PROPERTY,
  SbomPart,
} from '../artifacts/sbom';

/** Parses Trivy's output for `file`; a clear error when it is not CycloneDX JSON. */
export function parseTrivySbom(raw: string, file: string): CycloneDx {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(
      `${file}: Trivy's SBOM is not JSON (${(e as Error).message}); expected CycloneDX from --format cyclonedx`,
      {
        cause: e,
      },
    );
  }
  const format = (json as { bomFormat?: unknown } | null)?.bomFormat;
  if (format !== 'CycloneDX') {
    const looksLike = json && typeof json === 'object' && 'SchemaVersion' in json ? ' (it is a Trivy JSON report)' : '';
    throw new Error(
      `${file}: Trivy's output is not a CycloneDX SBOM${looksLike}: bomFormat is ${JSON.stringify(format ?? null)}, expected "CycloneDX"`,
    );
  }
  const parsed = cycloneDxSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file}: not a CycloneDX SBOM this scan can use:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

export interface PlatformImage {
  platform: string;
  /** registry/repository/name of the image. */
  image: string;
  /** The platform manifest's digest, when known. */
  manifestDigest: string | null;
}

const withPlatform = (c: BomComponent, platform: string): BomComponent => ({
  ...c,
  properties: [...(c.properties ?? []), { name: PLATFORM_PROPERTY, value: platform }],
});

/** One platform's part: Trivy's root as the platform image, every other bom-ref prefixed with the platform. */
export function trivySbomPart(bom: CycloneDx, where: PlatformImage): SbomPart {
  const { platform, image, manifestDigest } = where;
  const trivyRoot = bom.metadata.component['bom-ref'];
  const imageRef = manifestDigest ? `${image}@${manifestDigest}` : `${image}|${platform}`;
  const refOf = (ref: string) => (ref === trivyRoot ? imageRef : `${platform}|${ref}`);
  const [, arch, variant] = platform.split('/');
  const imageComponent = {
    ...withPlatform(bom.metadata.component, platform),
    'bom-ref': imageRef,
    type: 'container',
    name: image,
    ...(manifestDigest
      ? { version: manifestDigest, purl: ociPurl(image, manifestDigest, { arch, ...(variant ? { variant } : {}) }) }
      : {}),
  };
  const components = bom.components.map((c, i) =>
    withPlatform({ ...c, 'bom-ref': `${platform}|${c['bom-ref'] ?? `component-${i}`}` }, platform),
  );
  const dependencies: BomDependency[] = bom.dependencies.map((d) => ({
    ...d,
    ref: refOf(d.ref),
    dependsOn: (d.dependsOn ?? []).map(refOf),
  }));
  return { platform, image: imageComponent, components, dependencies };
}

/** The index SBOM from each platform's Trivy output: one CycloneDX version for all of them. */
export function indexSbom(
  image: string,
  indexDigest: string | null,
  platforms: ReadonlyArray<{ bom: CycloneDx; where: PlatformImage; file: string }>,
): CycloneDx {
  const first = platforms[0].bom;
  const other = platforms.find((p) => p.bom.specVersion !== first.specVersion);
  if (other) {
    throw new Error(
      `${other.file}: CycloneDX ${other.bom.specVersion}, but ${platforms[0].file} is ${first.specVersion}: one Trivy must write every platform's SBOM`,
    );
  }
  const meta = first.metadata as { timestamp?: string; tools?: unknown };
  return assembleSbom(
    {
      image,
      digest: indexDigest,
      specVersion: first.specVersion,
      schema: (first as { $schema?: unknown }).$schema,
      tools: meta.tools,
      serialNumber: `urn:uuid:${randomUUID()}`,
      timestamp: meta.timestamp ?? new Date().toISOString(),
    },
    platforms.map((p) => trivySbomPart(p.bom, p.where)),
  );
}

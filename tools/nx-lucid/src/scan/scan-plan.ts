/**
 * What a scan runs: one Trivy invocation per platform of the built OCI layout (through a one-platform layout
 * view), or per requested platform of a registry reference. Pure but for reading metadata.json.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readBuildMetadata } from '../artifacts/metadata';
import { Descriptor, platformString } from '../oci/types';
import type { ScanOptions } from './scan-types';
import type { ScanOutcome } from './summary';
import type { PulledImage } from './pull-image';
import { platformSlug, TrivyImageScan, trivyImageArgs, trivyIsolation, trivySbomArgs } from './trivy-command';

const refDigest = (ref: string) => /@(sha256:[a-f0-9]{64})$/.exec(ref)?.[1] ?? null;
/** host/repository/name of a reference, without its tag or digest. */
const imageName = (ref: string) => ref.replace(/@sha256:[a-f0-9]{64}$/, '').replace(/:[\w][\w.-]*$/, '');

export interface PlannedScan {
  platform: string | undefined;
  /** Layout view to create before the run (OCI input only). */
  view?: { dir: string; manifest: Pick<Descriptor, 'digest' | 'mediaType' | 'size' | 'platform'> };
  args: string[];
  output: string;
  /** The CycloneDX run over the same input (trivy-command.ts trivySbomArgs). */
  sbom: { args: string[]; output: string };
}

export interface ScanPlaces {
  root: string;
  outDir: string;
  workRoot: string;
  cacheDir: string;
  skipDbUpdate: boolean;
  /** A scan by reference: what pull-image.ts pulled (undefined in a dry run, which pulls nothing). */
  pulled?: PulledImage;
}

/** Where a scan by reference pulls its image to. */
export const pulledLayoutDir = (workRoot: string) => join(workRoot, 'pulled');

/** The platforms a scan by reference asks for: --platform, else the configured ones, else the image's default. */
export function requestedPlatforms(options: Pick<ScanOptions, 'platform' | 'platforms'>): Array<string | undefined> {
  if (options.platform) return [options.platform];
  return options.platforms?.length ? options.platforms : [undefined];
}

/** The report run and the SBOM run of one platform's input; outputs in workRoot as <slug>.json and <slug>.cdx.json. */
function plannedRuns(
  common: Omit<TrivyImageScan, 'input' | 'output'>,
  where: { workRoot: string; platform: string | undefined; input: string },
): Pick<PlannedScan, 'args' | 'output' | 'sbom'> {
  const slug = where.platform ? platformSlug(where.platform) : 'default';
  const output = join(where.workRoot, `${slug}.json`);
  const sbomOutput = join(where.workRoot, `${slug}.cdx.json`);
  return {
    output,
    args: trivyImageArgs({ ...common, input: where.input, output }),
    sbom: { output: sbomOutput, args: trivySbomArgs({ ...common, input: where.input, output: sbomOutput }) },
  };
}

/** What the scan runs, and the image (registry/repository/name) the SBOM is of. */
export function planScans(
  options: ScanOptions,
  where: ScanPlaces,
): { target: ScanOutcome['target']; plans: PlannedScan[]; image: string } {
  let target: ScanOutcome['target'];
  let image: string;
  const plans: PlannedScan[] = [];
  const common = {
    cacheDir: where.cacheDir,
    skipDbUpdate: where.skipDbUpdate,
    isolation: trivyIsolation(where.workRoot),
  };
  const { root, outDir, workRoot } = where;
  if (options.imageRef) {
    target = { kind: 'image-ref', ref: options.imageRef, digest: where.pulled?.digest ?? refDigest(options.imageRef) };
    image = imageName(options.imageRef);
    const list =
      where.pulled?.manifests ?? requestedPlatforms(options).map((platform) => ({ platform, descriptor: undefined }));
    for (const { platform, descriptor } of list) {
      const dir = join(workRoot, platform ? platformSlug(platform) : 'default');
      plans.push({
        platform,
        ...(descriptor ? { view: { dir, manifest: descriptor } } : {}),
        ...plannedRuns(common, { workRoot, platform, input: dir }),
      });
    }
  } else if (options.dryRun && !existsSync(join(outDir, 'metadata.json'))) {
    // Dry run before any build: show the shape of the commands from the configured platforms.
    target = { kind: 'oci-layout', ref: `${options.outputPath}/oci (not built yet)`, digest: null };
    image = target.ref;
    for (const platform of options.platform ? [options.platform] : (options.platforms ?? [])) {
      const dir = join(workRoot, platformSlug(platform));
      plans.push({ platform, ...plannedRuns(common, { workRoot, platform, input: dir }) });
    }
  } else {
    const metadata = readBuildMetadata(root, options.outputPath);
    const ociDir = join(outDir, metadata.layout);
    if (!existsSync(join(ociDir, 'index.json'))) {
      throw new Error(`${relative(root, ociDir)}/index.json not found: run the container-build target first`);
    }
    target = { kind: 'oci-layout', ref: `${metadata.image}:${metadata.version}`, digest: metadata.index.digest };
    image = metadata.image;
    const manifests = metadata.manifests.filter(
      (m) => !options.platform || platformString(m.platform) === options.platform,
    );
    if (!manifests.length) {
      throw new Error(
        `platform ${options.platform} is not in the build (built: ${metadata.manifests.map((m) => platformString(m.platform)).join(', ')})`,
      );
    }
    for (const m of manifests) {
      const platform = platformString(m.platform);
      const dir = join(workRoot, platformSlug(platform));
      plans.push({
        platform,
        view: { dir, manifest: { mediaType: m.mediaType, digest: m.digest, size: m.size, platform: m.platform } },
        ...plannedRuns(common, { workRoot, platform, input: dir }),
      });
    }
  }
  return { target, plans, image };
}

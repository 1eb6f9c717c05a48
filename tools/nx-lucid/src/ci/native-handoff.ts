/**
 * Native arm64 mode (one runner per platform): how each platform's outputs are set apart, handed on between
 * jobs and merged into one index per service. In emulated mode every helper here is a no-op or the plain
 * single-folder hand-off.
 */
import type { Chain, CiWorkflowInput, Step } from './input';
import { archMatrix } from './plan';
import { bin, handoffKey, restoreHandoff, sarifUpload } from './steps';

export const native = (input: CiWorkflowInput) => input.arm64 === 'native';

/**
 * Native mode hands each platform's outputs on under their own folder (<outputRoot>-<arch>), since both
 * platforms write the same paths (oci/index.json, metadata.json, scan/report.sarif).
 */
export const handoffDir = (input: CiWorkflowInput, arch = '${{ matrix.arch }}') =>
  native(input) ? `${input.outputRoot}-${arch}` : input.outputRoot;

export function stash(input: CiWorkflowInput): Step[] {
  if (!native(input)) return [];
  return [
    {
      name: "Set this platform's outputs apart",
      env: { ARCH: '${{ matrix.arch }}' },
      run: `rm -rf "${input.outputRoot}-$ARCH" && mv ${input.outputRoot} "${input.outputRoot}-$ARCH"`,
    },
  ];
}

export function unstash(input: CiWorkflowInput): Step[] {
  if (!native(input)) return [];
  return [
    {
      name: "Put this platform's outputs in place",
      env: { ARCH: '${{ matrix.arch }}' },
      run: `mv "${input.outputRoot}-$ARCH" ${input.outputRoot}`,
    },
  ];
}

/**
 * Native mode: one index per service from the platforms' manifests as they were built and scanned (no
 * rebuild: the per-platform manifest digests are kept), which the push then uploads by digest.
 */
export function mergePlatforms(input: CiWorkflowInput, chain: Chain): Step[] {
  if (!native(input)) return [];
  const parts = archMatrix(input)
    .map((a) => `--from=${input.outputRoot}-${a.arch}`)
    .join(' ');
  return [
    {
      name: 'Merge the per-platform images into one index per service',
      env: { PROJECTS: chain.projects },
      run: bin(input, `lucid merge-platforms --projects="$PROJECTS" --into=${input.outputRoot} ${parts}`),
    },
  ];
}

/** The SARIF upload(s) of the report job's `matrix.service`: one, or one per platform in native mode. */
export function reportUploads(input: CiWorkflowInput): Step[] {
  const service = '${{ matrix.service }}';
  if (!native(input)) return [sarifUpload(input, service, { category: `container-${service}` })];
  return archMatrix(input).map((a) =>
    sarifUpload(input, service, {
      category: `container-${service}-${a.arch}`,
      outputRoot: handoffDir(input, a.arch),
      label: a.platform,
    }),
  );
}

export function handoffRestores(input: CiWorkflowInput, chain: Chain, opts: { scanOnly?: boolean } = {}): Step[] {
  if (!native(input)) {
    return [
      ...(opts.scanOnly
        ? []
        : [restoreHandoff('Build outputs of this run', input.outputRoot, handoffKey('build', chain.suffix))]),
      restoreHandoff('Scan reports of this run', `${input.outputRoot}/*/scan`, handoffKey('scan', chain.suffix)),
    ];
  }
  const suffix = chain.suffix.replace('-${{ matrix.arch }}', '');
  return archMatrix(input).flatMap((a) => [
    ...(opts.scanOnly
      ? []
      : [
          restoreHandoff(
            `Build outputs (${a.platform})`,
            handoffDir(input, a.arch),
            handoffKey('build', `${suffix}-${a.arch}`),
          ),
        ]),
    restoreHandoff(
      `Scan reports (${a.platform})`,
      `${handoffDir(input, a.arch)}/*/scan`,
      handoffKey('scan', `${suffix}-${a.arch}`),
    ),
  ]);
}

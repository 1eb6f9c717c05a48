import { cycloneDxSchema, sbomParts } from '../artifacts/sbom';
import { indexSbom, parseTrivySbom } from './sbom';
import { fixtureText } from './test-support';

/** Trivy's own CycloneDX golden (__fixtures__/trivy/SOURCES.md). */
const GOLDEN = fixtureText('fluentd-multiple-lockfiles-short.cdx.json');
const IMAGE = 'ghcr.io/hamigames/lucid/api';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe("Trivy's CycloneDX output → the SBOM of the index", () => {
  it('parses the real golden: CycloneDX 1.7, its root and purls', () => {
    const bom = parseTrivySbom(GOLDEN, 'golden');
    expect(bom.specVersion).toBe('1.7');
    expect(bom.metadata.component.type).toBe('container');
    expect(bom.components.map((c) => c.purl).filter(Boolean)).toHaveLength(3);
  });

  it.each([
    ['not JSON', GOLDEN.slice(0, 100), /f\.cdx\.json: Trivy's SBOM is not JSON/],
    ['a Trivy JSON report', fixtureText('pip.json'), /not a CycloneDX SBOM \(it is a Trivy JSON report\)/],
    [
      'CycloneDX without a serialNumber',
      JSON.stringify({ ...JSON.parse(GOLDEN), serialNumber: undefined }),
      /f\.cdx\.json: not a CycloneDX SBOM this scan can use:\n.*serialNumber/,
    ],
    [
      'a purl that is not a package URL',
      GOLDEN.replace('"purl": "pkg:deb/debian/bash', '"purl": "deb/debian/bash'),
      /components\.1\.purl.*a package URL starts with pkg:/,
    ],
  ])('refuses %s, naming the file and the field', (_label, text, message) => {
    expect(() => parseTrivySbom(text, 'f.cdx.json')).toThrow(message);
  });

  it('one root for the index; each platform its image component and its own packages; Trivy’s edges kept', () => {
    const bom = parseTrivySbom(GOLDEN, 'golden');
    const platforms = ['linux/amd64', 'linux/arm64'].map((platform, i) => ({
      bom,
      file: platform,
      where: { platform, image: IMAGE, manifestDigest: digest(String(i + 1)) },
    }));
    const sbom = cycloneDxSchema.parse(indexSbom(IMAGE, digest('0'), platforms));
    expect(sbom.metadata.component['bom-ref']).toBe(`${IMAGE}@${digest('0')}`);
    expect(sbom.dependencies[0]).toEqual({
      ref: `${IMAGE}@${digest('0')}`,
      dependsOn: [`${IMAGE}@${digest('1')}`, `${IMAGE}@${digest('2')}`],
    });
    // Trivy's root edge (root → OS, root → gem) now starts at the platform image.
    const arm = sbom.dependencies.find((d) => d.ref === `${IMAGE}@${digest('2')}`)!;
    expect(arm.dependsOn).toHaveLength(2);
    for (const ref of arm.dependsOn!) expect(ref.startsWith('linux/arm64|')).toBe(true);
    const image = sbom.components.find((c) => c['bom-ref'] === `${IMAGE}@${digest('2')}`)!;
    expect(image.purl).toBe(
      `pkg:oci/api@${encodeURIComponent(digest('2'))}?arch=arm64&repository_url=${encodeURIComponent(IMAGE)}`,
    );
    // Split back into the same parts (what native arm64's merge does).
    expect(sbomParts(sbom, 'x').map((p) => [p.platform, p.components.length, p.dependencies.length])).toEqual([
      ['linux/amd64', 4, 2],
      ['linux/arm64', 4, 2],
    ]);
  });

  it('refuses platforms written in different CycloneDX versions', () => {
    const a = parseTrivySbom(GOLDEN, 'a');
    const b = { ...a, specVersion: '1.5' };
    const where = (platform: string) => ({ platform, image: IMAGE, manifestDigest: null });
    expect(() =>
      indexSbom(IMAGE, null, [
        { bom: a, where: where('linux/amd64'), file: 'amd64.cdx.json' },
        { bom: b, where: where('linux/arm64'), file: 'arm64.cdx.json' },
      ]),
    ).toThrow(/arm64\.cdx\.json: CycloneDX 1\.5, but amd64\.cdx\.json is 1\.7/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildMetadata } from '../artifacts/metadata';
import { sha256Digest } from '../oci/digest';
import { CYCLONEDX_BOM, IN_TOTO_MEDIA_TYPE, SIGSTORE_BUNDLE_V03, SLSA_PROVENANCE_V1 } from '../oci/in-toto';
import { RegistryClient } from '../registry/client';
import { MemoryRegistry, startMemoryRegistry } from '../registry/testing/memory-registry';
import { AttachInputs, attachAttestations, builderId, plannedArtifacts } from './attach-attestations';

const INDEX_DIGEST = sha256Digest('index');
const metadata = {
  image: 'registry.test/acme/api',
  index: { digest: INDEX_DIGEST, mediaType: 'application/vnd.oci.image.index.v1+json', size: 5 },
  gitSha: 'a'.repeat(40),
  labels: { 'org.opencontainers.image.source': 'https://github.com/acme/app' },
  base: { ref: 'gcr.io/distroless/static:nonroot', digest: sha256Digest('base') },
  manifests: [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ],
  engine: { name: 'buildah', version: '1.39.3' },
} as unknown as BuildMetadata;

describe('container-push attestations', () => {
  let root: string;
  const inputs = (over: Partial<AttachInputs> = {}): AttachInputs => ({
    workspaceRoot: root,
    outputPath: 'dist/containers/api',
    metadata,
    bundles: [],
    env: {},
    dryRun: false,
    stateDir: join(root, '.lucid'),
    statements: true,
    ...over,
  });
  const statementOf = (bytes: Buffer) => JSON.parse(bytes.toString()) as { predicate: any; subject: unknown };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lucid-attach-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('provenance (SLSA v1): the git revision, the base digest, the platforms, the engine and the builder', () => {
    const { artifacts, notes } = plannedArtifacts(
      inputs({ env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '7' } }),
    );
    expect(notes).toEqual(['no dist/containers/api/scan/sbom.cdx.json (the scan writes it): the SBOM is not attached']);
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]).toMatchObject({
      artifactType: IN_TOTO_MEDIA_TYPE,
      annotations: { 'in-toto.io/predicate-type': SLSA_PROVENANCE_V1 },
    });
    const s = statementOf(artifacts[0].layer.bytes);
    expect(s.subject).toEqual([{ name: 'registry.test/acme/api', digest: { sha256: INDEX_DIGEST.slice(7) } }]);
    expect(s.predicate.buildDefinition.externalParameters.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(s.predicate.buildDefinition.resolvedDependencies).toEqual([
      { uri: 'git+https://github.com/acme/app', digest: { gitCommit: 'a'.repeat(40) } },
      { uri: 'pkg:docker/gcr.io/distroless/static:nonroot', digest: { sha256: sha256Digest('base').slice(7) } },
    ]);
    expect(s.predicate.runDetails.builder.id).toBe('https://github.com/acme/app/actions/runs/7/attempts/1');
    expect(builderId({})).toMatch(/nx-lucid#local$/);
  });

  it('the scan SBOM becomes a CycloneDX statement about the index', () => {
    mkdirSync(join(root, 'dist/containers/api/scan'), { recursive: true });
    writeFileSync(
      join(root, 'dist/containers/api/scan/sbom.cdx.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', components: [{ name: 'zlib' }] }),
    );
    const { artifacts, notes } = plannedArtifacts(inputs());
    expect(notes).toEqual([]);
    expect(statementOf(artifacts[1].layer.bytes)).toMatchObject({
      predicateType: CYCLONEDX_BOM,
      predicate: { components: [{ name: 'zlib' }] },
    });
  });

  it('a bundle file whose statement is about another digest is refused before anything is attached', () => {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: sha256Digest('other').slice(7) } }],
      predicateType: SLSA_PROVENANCE_V1,
    };
    writeFileSync(
      join(root, 'b.json'),
      JSON.stringify({ dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64') } }),
    );
    expect(() => plannedArtifacts(inputs({ bundles: ['b.json'] }))).toThrow(
      `b.json: its statement is not about ${INDEX_DIGEST}; nothing attached`,
    );
    writeFileSync(join(root, 'c.json'), '{"mediaType":"x"}');
    expect(() => plannedArtifacts(inputs({ bundles: ['c.json'] }))).toThrow(
      /c\.json: not a Sigstore bundle with a DSSE in-toto statement/,
    );
    statement.subject[0].digest.sha256 = INDEX_DIGEST.slice(7);
    writeFileSync(
      join(root, 'b.json'),
      JSON.stringify({ dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64') } }),
    );
    const { artifacts } = plannedArtifacts(inputs({ bundles: ['b.json'], statements: false }));
    expect(artifacts.map((a) => [a.artifactType, a.annotations])).toEqual([
      [
        SIGSTORE_BUNDLE_V03,
        { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': SLSA_PROVENANCE_V1 },
      ],
    ]);
  });

  describe('on a registry', () => {
    let reg: MemoryRegistry;
    beforeEach(async () => {
      reg = await startMemoryRegistry({ referrersApi: false });
    });
    afterEach(() => reg.close());

    it('--dry-run prints what it would attach and writes nothing; a rerun adds nothing', async () => {
      const client = new RegistryClient({ registry: reg.host, retry: { retries: 0 } });
      const lines: string[] = [];
      const planned = plannedArtifacts(inputs());
      await attachAttestations(client, 'acme/api', 'registry.test/acme/api', planned, inputs({ dryRun: true }), (l) =>
        lines.push(l),
      );
      expect(lines).toEqual([
        '  attestations: no dist/containers/api/scan/sbom.cdx.json (the scan writes it): the SBOM is not attached',
        `  [dry-run] would attach ${SLSA_PROVENANCE_V1} (unsigned in-toto statement) to registry.test/acme/api@${INDEX_DIGEST}`,
      ]);
      expect(reg.requests).toEqual([]);
      await attachAttestations(client, 'acme/api', 'x', planned, inputs(), (l) => lines.push(l));
      await attachAttestations(client, 'acme/api', 'x', planned, inputs(), (l) => lines.push(l));
      expect(lines.filter((l) => l.includes('✔'))).toEqual([
        expect.stringMatching(/✔ attached .* \(referrers tag schema\)$/),
        expect.stringMatching(/✔ already attached: .* \(referrers tag schema\)$/),
      ]);
    });
  });
});

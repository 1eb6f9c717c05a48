import { RegistryClient } from './client';
import { artifactManifest, Referrers, referrersTag } from './referrers';
import { MemoryRegistry, startMemoryRegistry, storeManifest } from './testing/memory-registry';
import { sha256Digest } from '../oci/digest';
import type { Descriptor } from '../oci/types';

const REPO = 'acme/api';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** An image index stored in the stand-in: the subject every artifact refers to. */
function pushSubject(reg: MemoryRegistry): Descriptor {
  const doc = { schemaVersion: 2, mediaType: INDEX, manifests: [] };
  const digest = storeManifest(reg, REPO, doc, 'v1.0.0');
  return { mediaType: INDEX, digest, size: Buffer.from(JSON.stringify(doc)).length };
}

const bundle = (n: number, predicateType = 'https://slsa.dev/provenance/v1') => ({
  artifactType: BUNDLE,
  layer: { mediaType: BUNDLE, bytes: Buffer.from(JSON.stringify({ n })) },
  annotations: {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': predicateType,
  },
});

const tagIndex = (reg: MemoryRegistry, subject: string) => {
  const digest = reg.tags.get(`${REPO}:${referrersTag(subject)}`);
  if (!digest) return undefined;
  return JSON.parse(reg.manifests.get(`${REPO}@${digest}`)!.bytes.toString()) as { manifests: Descriptor[] };
};

describe('Referrers (OCI 1.1): the API where the registry has it, else the referrers tag schema', () => {
  let reg: MemoryRegistry;
  afterEach(async () => {
    await reg?.close();
    reg = undefined as unknown as MemoryRegistry;
  });
  const client = () => new RegistryClient({ registry: reg.host, retry: { retries: 0 } });

  it('writes the artifact manifest of actions/attest: empty config, one layer, subject = the image index', () => {
    const subject: Descriptor = { mediaType: INDEX, digest: sha256Digest('i'), size: 1 };
    const b = bundle(1);
    const doc = JSON.parse(artifactManifest(subject, b, sha256Digest(b.layer.bytes)).toString());
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: BUNDLE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 },
      layers: [{ mediaType: BUNDLE, digest: sha256Digest(b.layer.bytes), size: b.layer.bytes.length }],
      subject,
      annotations: b.annotations,
    });
  });

  it('API path: the registry confirms OCI-Subject and lists the referrer; no sha256-<hex> tag is written', async () => {
    reg = await startMemoryRegistry({ referrersApi: true });
    const subject = pushSubject(reg);
    const referrers = new Referrers(client());
    const attached = await referrers.attach(REPO, subject, bundle(1));
    expect(attached.via).toBe('api');
    expect(reg.tags.has(`${REPO}:${referrersTag(subject.digest)}`)).toBe(false);
    const listed = await referrers.list(REPO, subject.digest);
    expect(listed.via).toBe('api');
    expect(listed.referrers).toEqual([
      expect.objectContaining({
        digest: attached.descriptor.digest,
        artifactType: BUNDLE,
        annotations: bundle(1).annotations,
      }),
    ]);
    expect(reg.requests).toContain(`GET /v2/${REPO}/referrers/${subject.digest}`);
  });

  it('fallback: the registry answers the referrers API 404; entries go into the sha256-<hex> index, reruns add nothing', async () => {
    reg = await startMemoryRegistry({ referrersApi: false });
    const subject = pushSubject(reg);
    const referrers = new Referrers(client());
    const first = await referrers.attach(REPO, subject, bundle(1));
    const second = await referrers.attach(REPO, subject, bundle(2, 'https://cyclonedx.org/bom'));
    expect([first.via, second.via]).toEqual(['tag', 'tag']);
    expect(tagIndex(reg, subject.digest)!.manifests.map((m) => m.digest)).toEqual([
      first.descriptor.digest,
      second.descriptor.digest,
    ]);
    const again = await referrers.attach(REPO, subject, bundle(1));
    expect(again.added).toBe(false);
    expect(tagIndex(reg, subject.digest)!.manifests).toHaveLength(2);
    const listed = await referrers.list(REPO, subject.digest, BUNDLE);
    expect(listed.via).toBe('tag');
    expect(listed.referrers.map((r) => r.annotations?.['dev.sigstore.bundle.predicateType'])).toEqual([
      'https://slsa.dev/provenance/v1',
      'https://cyclonedx.org/bom',
    ]);
  });

  it('fallback: keeps an entry another tool wrote (a cosign signature) in the index', async () => {
    reg = await startMemoryRegistry({ referrersApi: false });
    const subject = pushSubject(reg);
    const foreign: Descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256Digest('cosign'),
      size: 9,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    };
    storeManifest(
      reg,
      REPO,
      { schemaVersion: 2, mediaType: INDEX, manifests: [foreign] },
      referrersTag(subject.digest),
    );
    const attached = await new Referrers(client()).attach(REPO, subject, bundle(1));
    expect(tagIndex(reg, subject.digest)!.manifests).toEqual([foreign, attached.descriptor]);
  });

  it('fallback: a racing writer that replaces the index after our write loses nothing: read back, merged, rewritten', async () => {
    reg = await startMemoryRegistry({ referrersApi: false });
    const subject = pushSubject(reg);
    const theirs: Descriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256Digest('theirs'),
      size: 5,
      artifactType: BUNDLE,
    };
    let raced = false;
    reg.afterManifestPut = (_repo, ref) => {
      if (ref !== referrersTag(subject.digest) || raced) return;
      raced = true; // the other writer read the empty index before our write and writes its own over ours
      storeManifest(reg, REPO, { schemaVersion: 2, mediaType: INDEX, manifests: [theirs] }, ref);
    };
    const attached = await new Referrers(client()).attach(REPO, subject, bundle(1));
    expect(raced).toBe(true);
    expect(
      tagIndex(reg, subject.digest)!
        .manifests.map((m) => m.digest)
        .sort(),
    ).toEqual([theirs.digest, attached.descriptor.digest].sort());
  });

  it('fallback: gives up with a clear error when the index never holds its entry', async () => {
    reg = await startMemoryRegistry({ referrersApi: false });
    const subject = pushSubject(reg);
    reg.afterManifestPut = (_repo, ref) => {
      if (ref === referrersTag(subject.digest))
        storeManifest(reg, REPO, { schemaVersion: 2, mediaType: INDEX, manifests: [] }, ref);
    };
    await expect(new Referrers(client(), { conflictRetries: 2 }).attach(REPO, subject, bundle(1))).rejects.toThrow(
      `${reg.host}/${REPO}:${referrersTag(subject.digest)} kept changing`,
    );
  });
});

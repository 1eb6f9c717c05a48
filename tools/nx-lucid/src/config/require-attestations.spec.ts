import { normalizePluginOptions } from './options';

const base = { trustedRoot: '.sigstore/trusted_root.json' };
const parse = (requireAttestations: object) => () => normalizePluginOptions({ requireAttestations });

describe('requireAttestations (plugin option)', () => {
  it('defaults the predicate type and issuer; no policy when unset', () => {
    expect(normalizePluginOptions({}).requireAttestations).toBeUndefined();
    expect(
      parse({ ...base, certificateIdentity: 'https://github.com/a/b/.github/workflows/ci.yml@refs/heads/main' })()
        .requireAttestations,
    ).toMatchObject({
      predicateTypes: ['https://slsa.dev/provenance/v1'],
      certificateIssuer: 'https://token.actions.githubusercontent.com',
    });
  });

  it('refuses a policy without a trusted root, with both or neither identity forms, or a bad regular expression', () => {
    expect(parse({ certificateIdentity: 'x' })).toThrow(/trustedRoot/);
    expect(parse({ ...base })).toThrow(/set exactly one of certificateIdentity and certificateIdentityRegExp/);
    expect(parse({ ...base, certificateIdentity: 'x', certificateIdentityRegExp: 'x' })).toThrow(/exactly one/);
    expect(parse({ ...base, certificateIdentityRegExp: '(' })).toThrow(/not a valid regular expression/);
    expect(parse({ trustedRoot: '../root.json', certificateIdentity: 'x' })).toThrow(/inside the workspace/);
  });
});

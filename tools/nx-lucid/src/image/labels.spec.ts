import {
  githubSourceUrl,
  imageLabels,
  indexAnnotations,
  packageJsonField,
  phaseFromTags,
  pyprojectField,
} from './labels';

describe('imageLabels', () => {
  const base = {
    sourceUrl: 'https://github.com/hamigames/lucid',
    version: '1.0.0',
    created: '2024-05-01T10:00:00.000Z',
    title: 'auth-service',
  };

  it('sets every OCI label and the phase, in a fixed order', () => {
    const labels = imageLabels({ ...base, revision: 'a'.repeat(40), description: 'Auth', phase: 1 });
    expect(Object.keys(labels)).toEqual([
      'org.opencontainers.image.created',
      'org.opencontainers.image.description',
      'org.opencontainers.image.revision',
      'org.opencontainers.image.source',
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
      'io.lucid.phase',
    ]);
    expect(labels['io.lucid.phase']).toBe('1');
    expect(labels['org.opencontainers.image.source']).toBe('https://github.com/hamigames/lucid');
  });

  it('leaves out what is unknown rather than writing a placeholder', () => {
    const labels = imageLabels({ ...base, revision: null, phase: null });
    expect(labels).not.toHaveProperty('org.opencontainers.image.revision');
    expect(labels).not.toHaveProperty('io.lucid.phase');
    expect(labels).not.toHaveProperty('org.opencontainers.image.description');
  });

  it('index annotations are the OCI labels, description included, phase not', () => {
    const a = indexAnnotations(imageLabels({ ...base, description: 'Auth', phase: 3 }));
    expect(a['org.opencontainers.image.description']).toBe('Auth');
    expect(a).not.toHaveProperty('io.lucid.phase');
  });
});

describe('githubSourceUrl', () => {
  it.each([
    ['https://github.com/hamigames/lucid.git', 'https://github.com/hamigames/lucid'],
    ['https://x-access-token:abc@github.com/hamigames/lucid', 'https://github.com/hamigames/lucid'],
    ['git@github.com:hamigames/lucid.git', 'https://github.com/hamigames/lucid'],
    ['ssh://git@github.com/hamigames/lucid.git', 'https://github.com/hamigames/lucid'],
  ])('%s', (remote, url) => expect(githubSourceUrl(remote)).toBe(url));

  it('is undefined for other hosts', () => {
    expect(githubSourceUrl('https://gitlab.com/a/b.git')).toBeUndefined();
    expect(githubSourceUrl('/srv/git/lucid')).toBeUndefined();
  });
});

describe('project fields', () => {
  const toml = [
    '[build-system]',
    'version = "9.9.9"',
    '',
    '[project]',
    'name = "auth"',
    "version = '1.2.3' # pinned",
    'description = "Auth \\"svc\\""',
    '[tool.x]',
    'version = "0"',
  ].join('\n');
  it('reads version and description from [project] only', () => {
    expect(pyprojectField(toml, 'version')).toBe('1.2.3');
    expect(pyprojectField(toml, 'description')).toBe('Auth "svc"');
    expect(pyprojectField('[tool.poetry]\nversion = "1"', 'version')).toBeUndefined();
  });
  it('reads package.json fields, tolerating bad JSON', () => {
    expect(packageJsonField('{"version":"2.0.0"}', 'version')).toBe('2.0.0');
    expect(packageJsonField('{', 'version')).toBeUndefined();
  });
  it('finds the phase tag', () => {
    expect(phaseFromTags(['type:service', 'phase:2'])).toBe(2);
    expect(phaseFromTags(['phase:x'])).toBeNull();
    expect(phaseFromTags(undefined)).toBeNull();
  });
});

import { nextLink, registryScheme } from './client';

describe('registryScheme', () => {
  it('uses plain HTTP for loopback and configured insecure registries only', () => {
    expect(registryScheme('127.0.0.1:5000')).toBe('http');
    expect(registryScheme('localhost:5000')).toBe('http');
    expect(registryScheme('ghcr.io')).toBe('https');
    expect(registryScheme('mirror.local:5000', ['mirror.local:5000'])).toBe('http');
    expect(registryScheme('mirror.local:5000', ['other.local'])).toBe('https');
  });
});

describe('nextLink', () => {
  it('reads the rel="next" target of a Link header', () => {
    expect(nextLink('</v2/a/tags/list?last=x&n=2>; rel="next"')).toBe('/v2/a/tags/list?last=x&n=2');
    expect(
      nextLink('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"'),
    ).toBe('https://api.github.com/x?page=2');
    expect(nextLink('<https://api.github.com/x?page=5>; rel="last"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

import { composeBuildBlocks, mayHaveBuildKey, parsedBuildBlocks } from './compose';

/**
 * The parse shortcut: a compose text is left unparsed only when YAML cannot give any service a `build` key in it,
 * so the shortcut never changes the build blocks. Each text below is checked against the full parse.
 */
const TEXTS: Record<string, string> = {
  'build only in values and comments': [
    'services:',
    '  api:',
    '    image: moby/buildkit:latest # rebuild nightly',
    '    command: ["make", "build"]',
    '    environment:',
    '      MODE: build',
  ].join('\n'),
  'plain key': 'services:\n  api:\n    build: ./api\n',
  'plain key, blank before the colon': 'services:\n  api:\n    build   : ./api\n',
  'double-quoted key': 'services:\n  api:\n    "build": ./api\n',
  'single-quoted key': "services:\n  api:\n    'build': ./api\n",
  'flow mapping': 'services: {api: {build: ./api}}\n',
  'flow mapping, quoted key': 'services: {"api": {"build" : {"context": "./api"}}}\n',
  'explicit key': 'services:\n  api:\n    ? build\n    : ./api\n',
  'explicit key in a flow mapping': 'services: {api: {? build : ./api}}\n',
  'escaped key': 'services:\n  api:\n    "\\x62uild": ./api\n',
  'alias as the key': 'x-key: &k build\nservices:\n  api:\n    *k : ./api\n',
  'alias as a flow key': 'x-key: &k build\nservices: {api: {*k : ./api}}\n',
  'merge key': 'x-base: &base\n  build: ./api\nservices:\n  api:\n    <<: *base\n',
  'tagged key': 'services:\n  api:\n    !!str build: ./api\n',
};

describe('composeBuildBlocks shortcut', () => {
  it.each(Object.entries(TEXTS))('%s: the same blocks as the full parse', (_, text) => {
    expect(composeBuildBlocks(text)).toEqual(parsedBuildBlocks(text));
  });

  it.each(Object.entries(TEXTS).filter(([name]) => name !== 'build only in values and comments'))(
    '%s: has a build block, and the shortcut sends it to the parser',
    (_, text) => {
      expect(parsedBuildBlocks(text)).toEqual([['api', expect.anything()]]);
      expect(mayHaveBuildKey(text)).toBe(true);
    },
  );

  it('a text naming build only in values is not parsed', () => {
    expect(mayHaveBuildKey(TEXTS['build only in values and comments'])).toBe(false);
  });
});

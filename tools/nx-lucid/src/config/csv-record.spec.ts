/**
 * parseCsvRecords against the library it replaces: csv-parse (a root devDependency kept for this oracle only; the
 * plugin does not depend on it), with the options docker/metadata-action passes (src/tag.ts, src/flavor.ts):
 * { relaxColumnCount: true, skipEmptyLines: true }. Same records for every line, or an error on both sides with
 * csv-parse's wording.
 */
import { parse } from 'csv-parse/sync';
import { csvFields, parseCsvRecords } from './csv-record';

const LINES = [
  '',
  'type=semver,pattern={{version}}',
  'type=raw,value=foo',
  'type=semver,pattern={{version}},enable="true"',
  'type=raw,value=a,enable="{{is_default_branch}}"',
  '"type=raw,value=a,b"',
  'type=match,"pattern=\\d.\\d.\\d",group=0',
  'type=raw,"value=say ""hi"""',
  'type=raw,value=""',
  '""',
  '"",""',
  ',',
  ',,',
  'a,',
  ',a',
  ' a , b ',
  ' "a"',
  '"a" ',
  '"a"b',
  'a"b',
  'a""b',
  '"a',
  '"a""',
  '"a"""',
  '""""',
  '"""a"""',
  '"',
  'type=raw,value={{date "YYYY"}}',
  "type=raw,value={{date 'YYYY' tz='Asia/Tokyo'}}",
  'type=raw,"value={{date ""YYYY""}}"',
  'a\nb',
  'a\r\nb',
  'a\rb',
  'a\n\nb',
  '\n\na',
  'a\n',
  'a\r\n',
  '\n',
  '\r\n\r\n',
  '"a\nb",c',
  '"a\r\nb"\r\nc',
  'a\nb\rc',
  'a\r\nb\nc',
  '"a"\nb',
  '"a"\r\nb',
  '"a"\rb',
  'a\n"b',
  'a\nb"c',
  '""\n',
  '\ufeffa,b',
  'ünï,cödé,"é"',
  'a\tb, c\t',
  'type=sha,prefix=,suffix=',
  'prefix=foo-,onlatest=true',
];

type Outcome = { records: string[][] } | { error: string };
const attempt = (f: () => string[][]): Outcome => {
  try {
    return { records: f() };
  } catch (e) {
    return { error: (e as Error).message.split(':')[0] };
  }
};

describe('parseCsvRecords (csv-parse as the oracle)', () => {
  it.each(LINES.map((l) => [l]))('%j', (line) => {
    const theirs = attempt(() => parse(line, { relaxColumnCount: true, skipEmptyLines: true }) as string[][]);
    expect(attempt(() => parseCsvRecords(line))).toEqual(theirs);
  });

  it('has lines csv-parse rejects, for each of its three quote errors', () => {
    const errors = LINES.map((l) => attempt(() => parse(l, { relaxColumnCount: true, skipEmptyLines: true })));
    const kinds = new Set(errors.flatMap((o) => ('error' in o ? [o.error] : [])));
    expect([...kinds].sort()).toEqual(['Invalid Closing Quote', 'Invalid Opening Quote', 'Quote Not Closed']);
  });

  it('gives the first record as the rule’s fields, none for an empty line', () => {
    expect(csvFields('type=raw,"value=a,b"\nignored')).toEqual(['type=raw', 'value=a,b']);
    expect(csvFields('')).toEqual([]);
    expect(() => csvFields('type=raw,value={{date "YYYY"}}')).toThrow(
      /^Invalid Opening Quote: a quote is found on field 1 at line 1, value is "value={{date " \(in /,
    );
  });
});

/**
 * formatMoment against the library it replaces: moment-timezone (a root devDependency kept for this oracle only;
 * the plugin does not depend on it). Fixed instants across zones (UTC, Asia/Tokyo, America/New_York either side of
 * a DST change, half-hour and negative offsets, London at offset 0 in winter), every token moment formats but z/zz,
 * literals, escapes and the locale expansions.
 */
import moment from 'moment-timezone';
import { formatMoment } from './moment-format';

const INSTANTS = [
  '2020-01-22T13:02:03.004Z', // the action's own test instant
  '2026-03-08T06:59:59.999Z', // New York: 01:59:59.999 EST, the second before the spring-forward
  '2026-03-08T07:00:00.000Z', // New York: 03:00 EDT
  '2026-11-01T05:30:00.050Z', // New York: 01:30 EDT (the first of the two)
  '2026-11-01T06:30:00.500Z', // New York: 01:30 EST (the second)
  '2026-12-31T23:59:59.000Z', // Tokyo: next year; ISO week 53
  '2027-01-01T00:00:00.000Z', // a Friday: locale week 1 vs ISO week 53 of 2026
  '2024-02-29T12:00:00.000Z', // leap day
  '2025-12-29T15:00:00.000Z', // ISO week 1 of 2026 in Tokyo
  '1999-12-31T12:00:00.123Z',
  '1970-01-01T00:00:00.000Z',
];
const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Etc/GMT+12',
  'asia/tokyo', // moment-timezone and Intl both read zone names case-insensitively
];
const FORMATS = [
  'YYYYMMDD',
  'YYYYMMDD-hhmmss',
  'YYYYMMDD-HHmmss',
  'YYYY-MM-DDTHH:mm:ss.SSSZ',
  'Y YY YYYY YYYYY YYYYYY',
  'M Mo MM MMM MMMM Q Qo',
  'D Do DD DDD DDDo DDDD',
  'd do dd ddd dddd e E eHHmm',
  'w wo ww W Wo WW gg gggg ggggg GG GGGG GGGGG',
  'N NN NNN NNNN NNNNN y yo yy yyy yyyy',
  'a A H HH h hh k kk hmm hmmss Hmm Hmmss m mm s ss',
  'S SS SSS SSSS SSSSS SSSSSS SSSSSSS SSSSSSSS SSSSSSSSS',
  'Z ZZ X x',
  'LT LTS L LL LLL LLLL l ll lll llll',
  '[today is] dddd [the] Do',
  '\\YYYY \\e \\D[D]D [unclosed',
  'w|w W|W [a[b]c] \\\\x',
  'bcfijnpqrtuvO_-:/.,;!?* ',
  '',
];

describe('formatMoment (moment-timezone as the oracle)', () => {
  const cases = INSTANTS.flatMap((at) => ZONES.flatMap((tz) => FORMATS.map((f) => [at, tz, f] as const)));

  it.each(cases)('%s in %s as %j', (at, tz, format) => {
    expect(formatMoment(new Date(at), tz, format)).toBe(moment(new Date(at)).tz(tz).format(format));
  });

  it('gives the expected strings for the action’s patterns (derived by hand from moment’s documentation)', () => {
    const summer = new Date('2026-07-04T16:05:06.007Z');
    expect(formatMoment(summer, 'UTC', 'YYYYMMDD-hhmmss')).toBe('20260704-040506');
    expect(formatMoment(summer, 'Asia/Tokyo', 'YYYYMMDD-HHmmss Z')).toBe('20260705-010506 +09:00');
    expect(formatMoment(summer, 'America/New_York', 'YYYY-MM-DD hh:mm A ZZ')).toBe('2026-07-04 12:05 PM -0400');
    expect(formatMoment(new Date('2026-01-04T16:05:06Z'), 'America/New_York', 'ZZ Do')).toBe('-0500 4th');
  });

  it('reads an invalid date as moment does', () => {
    expect(formatMoment(new Date('nope'), 'UTC', 'YYYY')).toBe(moment(new Date('nope')).tz('UTC').format('YYYY'));
  });

  it('refuses the zone abbreviations (moment-timezone data Intl does not give) and unknown zones, naming them', () => {
    const at = new Date(INSTANTS[0]);
    expect(() => formatMoment(at, 'Asia/Tokyo', 'YYYY z')).toThrow(/date format "YYYY z": z \(the zone abbreviation/);
    expect(() => formatMoment(at, 'UTC', 'zz')).toThrow(/zz \(the zone name/);
    expect(() => formatMoment(at, 'Mars/Olympus', 'YYYY')).toThrow(/unknown time zone "Mars\/Olympus"/);
    // Escaped or bracketed, z is a literal as in moment.
    expect(formatMoment(at, 'UTC', '[z]\\z')).toBe(moment(at).tz('UTC').format('[z]\\z'));
  });
});

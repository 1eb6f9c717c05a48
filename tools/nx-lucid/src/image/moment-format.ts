/**
 * `moment(date).tz(zone).format(pattern)` in moment's default English locale, computed with Node's Intl
 * (Intl.DateTimeFormat with timeZone) instead of moment-timezone: the patterns of the action's `{{date}}` and
 * `{{commit_date}}`. Moment's tokenizer is copied exactly (its regular expressions, `[literal]`, `\` escapes,
 * the LT/LTS/L…/l… expansions); every token moment formats is computed from the zone's wall-clock fields but
 * `z`/`zz` (zone abbreviations from moment-timezone's own data, which Intl does not reproduce): those throw,
 * naming the token. An unknown zone throws (moment-timezone would log and format in the machine's zone).
 */

/** The wall clock in the zone, and the zone's offset at that instant (minutes east of UTC). */
interface Wall {
  year: number;
  month: number; // 0-11
  date: number;
  hours: number;
  minutes: number;
  seconds: number;
  ms: number;
  day: number; // 0 = Sunday
  dayOfYear: number;
  offset: number;
  epochMs: number;
}

// Copied from moment 2.31 (formattingTokens, localFormattingTokens, the en locale's long date formats).
const FORMATTING_TOKENS =
  /(\[[^[]*\])|(\\e)|(\\)?(eHHmm|[Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)/g;
const LOCAL_FORMATTING_TOKENS = /(\[[^[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})/g;
const LONG_DATE_FORMATS: Record<string, string> = {
  LTS: 'h:mm:ss A',
  LT: 'h:mm A',
  L: 'MM/DD/YYYY',
  LL: 'MMMM D, YYYY',
  LLL: 'MMMM D, YYYY h:mm A',
  LLLL: 'dddd, MMMM D, YYYY h:mm A',
  l: 'M/D/YYYY',
  ll: 'MMM D, YYYY',
  lll: 'MMM D, YYYY h:mm A',
  llll: 'ddd, MMM D, YYYY h:mm A',
};
const MONTHS = 'January February March April May June July August September October November December'.split(' ');
const WEEKDAYS = 'Sunday Monday Tuesday Wednesday Thursday Friday Saturday'.split(' ');
/** moment's default formats when the pattern is empty (isUtc(): offset 0). */
const DEFAULT_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ';
const DEFAULT_FORMAT_UTC = 'YYYY-MM-DDTHH:mm:ss[Z]';

/** moment's zeroFill. */
function zeroFill(n: number, length: number, forceSign = false): string {
  const abs = String(Math.abs(n));
  const sign = n >= 0 ? (forceSign ? '+' : '') : '-';
  return sign + '0'.repeat(Math.max(0, length - abs.length)) + abs;
}

/** The en locale's ordinal. */
function ordinal(n: number): string {
  const b = n % 10;
  const suffix = Math.trunc((n % 100) / 10) === 1 ? 'th' : b === 1 ? 'st' : b === 2 ? 'nd' : b === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function utcDate(year: number, month: number, date: number): Date {
  const d = new Date(Date.UTC(2000, month, date));
  d.setUTCFullYear(year);
  return d;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** moment's firstWeekOffset / weeksInYear / weekOfYear, for the locale week (dow 0, doy 6) and ISO (1, 4). */
function firstWeekOffset(year: number, dow: number, doy: number): number {
  const fwd = 7 + dow - doy;
  const fwdlw = (7 + utcDate(year, 0, fwd).getUTCDay() - dow) % 7;
  return -fwdlw + fwd - 1;
}

function weeksInYear(year: number, dow: number, doy: number): number {
  const days = isLeap(year) ? 366 : 365;
  return (days - firstWeekOffset(year, dow, doy) + firstWeekOffset(year + 1, dow, doy)) / 7;
}

function weekOfYear(w: Wall, dow: number, doy: number): { week: number; year: number } {
  const week = Math.floor((w.dayOfYear - firstWeekOffset(w.year, dow, doy) - 1) / 7) + 1;
  if (week < 1) return { week: week + weeksInYear(w.year - 1, dow, doy), year: w.year - 1 };
  const weeks = weeksInYear(w.year, dow, doy);
  if (week > weeks) return { week: week - weeks, year: w.year + 1 };
  return { week, year: w.year };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl's formatter for the zone; an unknown zone is an error naming it. */
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new Error(`unknown time zone "${timeZone}" (tz= takes an IANA zone name, such as Asia/Tokyo or UTC)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(date: Date, timeZone: string): Wall {
  const parts: Record<string, string> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  const yearOfEra = Number(parts.year);
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra;
  const [month, day] = [Number(parts.month) - 1, Number(parts.day)];
  const midnight = utcDate(year, month, day);
  const epochMs = date.getTime();
  const ms = ((epochMs % 1000) + 1000) % 1000;
  const [hours, minutes, seconds] = [Number(parts.hour), Number(parts.minute), Number(parts.second)];
  const wallMs = midnight.getTime() + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
  return {
    year,
    month,
    date: day,
    hours,
    minutes,
    seconds,
    ms,
    day: midnight.getUTCDay(),
    dayOfYear: Math.round((midnight.getTime() - utcDate(year, 0, 1).getTime()) / 86_400_000) + 1,
    offset: Math.round((wallMs - epochMs) / 60_000),
    epochMs,
  };
}

function offsetText(w: Wall, separator: string): string {
  const sign = w.offset < 0 ? '-' : '+';
  const abs = Math.abs(w.offset);
  return sign + zeroFill(Math.trunc(abs / 60), 2) + separator + zeroFill(abs % 60, 2);
}

type TokenFn = (w: Wall) => string;
const pad =
  (get: (w: Wall) => number, length: number, forceSign = false) =>
  (w: Wall) =>
    zeroFill(get(w), length, forceSign);
const plain = (get: (w: Wall) => number) => (w: Wall) => String(get(w));
const ord = (get: (w: Wall) => number) => (w: Wall) => ordinal(get(w));

const h12 = (w: Wall) => w.hours % 12 || 12;
const week = (w: Wall) => weekOfYear(w, 0, 6);
const isoWeek = (w: Wall) => weekOfYear(w, 1, 4);
const eraYear = (w: Wall) => {
  if (w.year < 1) throw new Error('a year before 1 AD has no era year here');
  return w.year;
};

/** Every token moment formats (its formatTokenFunctions), for the en locale, but z/zz. */
const TOKENS: Record<string, TokenFn> = {
  Y: (w) => (w.year <= 9999 ? zeroFill(w.year, 4) : `+${w.year}`),
  YY: pad((w) => w.year % 100, 2),
  YYYY: pad((w) => w.year, 4),
  YYYYY: pad((w) => w.year, 5),
  YYYYYY: pad((w) => w.year, 6, true),
  M: plain((w) => w.month + 1),
  MM: pad((w) => w.month + 1, 2),
  Mo: ord((w) => w.month + 1),
  MMM: (w) => MONTHS[w.month].slice(0, 3),
  MMMM: (w) => MONTHS[w.month],
  Q: plain((w) => Math.ceil((w.month + 1) / 3)),
  Qo: ord((w) => Math.ceil((w.month + 1) / 3)),
  D: plain((w) => w.date),
  DD: pad((w) => w.date, 2),
  Do: ord((w) => w.date),
  DDD: plain((w) => w.dayOfYear),
  DDDD: pad((w) => w.dayOfYear, 3),
  DDDo: ord((w) => w.dayOfYear),
  d: plain((w) => w.day),
  do: ord((w) => w.day),
  dd: (w) => WEEKDAYS[w.day].slice(0, 2),
  ddd: (w) => WEEKDAYS[w.day].slice(0, 3),
  dddd: (w) => WEEKDAYS[w.day],
  e: plain((w) => w.day),
  E: plain((w) => w.day || 7),
  eHHmm: (w) => `${w.day}${zeroFill(w.hours, 2)}${zeroFill(w.minutes, 2)}`,
  w: plain((w) => week(w).week),
  ww: pad((w) => week(w).week, 2),
  wo: ord((w) => week(w).week),
  W: plain((w) => isoWeek(w).week),
  WW: pad((w) => isoWeek(w).week, 2),
  Wo: ord((w) => isoWeek(w).week),
  gg: pad((w) => week(w).year % 100, 2),
  gggg: pad((w) => week(w).year, 4),
  ggggg: pad((w) => week(w).year, 5),
  GG: pad((w) => isoWeek(w).year % 100, 2),
  GGGG: pad((w) => isoWeek(w).year, 4),
  GGGGG: pad((w) => isoWeek(w).year, 5),
  N: () => 'AD',
  NN: () => 'AD',
  NNN: () => 'AD',
  NNNN: () => 'Anno Domini',
  NNNNN: () => 'AD',
  y: pad(eraYear, 1),
  yy: pad(eraYear, 2),
  yyy: pad(eraYear, 3),
  yyyy: pad(eraYear, 4),
  yo: ord(eraYear),
  a: (w) => (w.hours > 11 ? 'pm' : 'am'),
  A: (w) => (w.hours > 11 ? 'PM' : 'AM'),
  H: plain((w) => w.hours),
  HH: pad((w) => w.hours, 2),
  h: plain(h12),
  hh: pad(h12, 2),
  k: plain((w) => w.hours || 24),
  kk: pad((w) => w.hours || 24, 2),
  hmm: (w) => `${h12(w)}${zeroFill(w.minutes, 2)}`,
  hmmss: (w) => `${h12(w)}${zeroFill(w.minutes, 2)}${zeroFill(w.seconds, 2)}`,
  Hmm: (w) => `${w.hours}${zeroFill(w.minutes, 2)}`,
  Hmmss: (w) => `${w.hours}${zeroFill(w.minutes, 2)}${zeroFill(w.seconds, 2)}`,
  m: plain((w) => w.minutes),
  mm: pad((w) => w.minutes, 2),
  s: plain((w) => w.seconds),
  ss: pad((w) => w.seconds, 2),
  S: plain((w) => Math.trunc(w.ms / 100)),
  SS: pad((w) => Math.trunc(w.ms / 10), 2),
  SSS: pad((w) => w.ms, 3),
  Z: (w) => offsetText(w, ':'),
  ZZ: (w) => offsetText(w, ''),
  X: plain((w) => Math.floor(w.epochMs / 1000)),
  x: plain((w) => w.epochMs),
};
for (let n = 4; n <= 9; n++) TOKENS['S'.repeat(n)] = pad((w) => w.ms * 10 ** (n - 3), n);

/** Tokens moment formats from moment-timezone's zone data, which Intl does not give. */
const REFUSED: Record<string, string> = {
  z: 'z (the zone abbreviation, from moment-timezone’s data) is not supported: use Z or ZZ (the offset)',
  zz: 'zz (the zone name, from moment-timezone’s data) is not supported: use Z or ZZ (the offset)',
};

/** moment's expandFormat: LT, LTS, L… and l… replaced (at most 6 rounds, as moment does). */
function expandLongDateFormats(format: string): string {
  for (let i = 5; i >= 0; i--) {
    LOCAL_FORMATTING_TOKENS.lastIndex = 0;
    if (!LOCAL_FORMATTING_TOKENS.test(format)) break;
    format = format.replace(LOCAL_FORMATTING_TOKENS, (token) => LONG_DATE_FORMATS[token] ?? token);
  }
  return format;
}

/** moment's removeFormattingTokens: `[literal]` unwrapped, else backslashes dropped. */
function literal(token: string): string {
  return /\[[\s\S]/.test(token) ? token.replace(/^\[|\]$/g, '') : token.replace(/\\/g, '');
}

/** The instant formatted in the zone as moment-timezone's `moment(date).tz(timeZone).format(format)` does. */
export function formatMoment(date: Date, timeZone: string, format: string): string {
  if (Number.isNaN(date.getTime())) return 'Invalid date';
  const wall = wallClock(date, timeZone);
  const pattern = format || (wall.offset === 0 ? DEFAULT_FORMAT_UTC : DEFAULT_FORMAT);
  const tokens = expandLongDateFormats(pattern).match(FORMATTING_TOKENS) ?? [];
  let out = '';
  for (const token of tokens) {
    if (Object.prototype.hasOwnProperty.call(REFUSED, token)) {
      throw new Error(`date format "${format}": ${REFUSED[token]}`);
    }
    const fn = Object.prototype.hasOwnProperty.call(TOKENS, token) ? TOKENS[token] : undefined;
    out += fn ? fn(wall) : literal(token);
  }
  return out;
}

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { formatIssues } from '../config/options';
import {
  parseTrivyReport,
  ReportError,
  reportShapeProblem,
  SEVERITIES,
  TrivyReport,
  trivyReportSchema,
  TrivyVulnerability,
  trivyVulnerabilitySchema,
} from './report';

/**
 * A Trivy report read in bounded memory for the gate, the SARIF and the summary: the file is read in chunks, each
 * `Results[i].Vulnerabilities[j]` is parsed and checked with the report schema on its own and kept with only the
 * fields those outputs read (repeated texts shared), and the rest of the report is parsed as usual. A 146 MB report
 * of 50,000 findings never exists as one string or one object tree. Any report this reading cannot take as valid
 * is read again whole by parseTrivyReport, so every error is the one parseTrivyReport gives.
 */

/** The fields of a vulnerability that the gate, the ignore file, the SARIF and the summary read. */
const GATE_FIELDS = [
  'VulnerabilityID',
  'PkgID',
  'PkgName',
  'PkgIdentifier',
  'PkgPath',
  'InstalledVersion',
  'FixedVersion',
  'Status',
  'Severity',
  'SeveritySource',
  'PrimaryURL',
  'Title',
  'Description',
  'CVSS',
] as const;
/** Texts a report repeats for every package a vulnerability touches: kept once. */
const SHARED_TEXTS = new Set(['VulnerabilityID', 'Status', 'SeveritySource', 'PrimaryURL', 'Title', 'Description']);

const CHUNK_BYTES = 1 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const STRUCTURAL = [QUOTE, 0x7b, 0x7d, 0x5b, 0x5d, BACKSLASH];

/**
 * Not a report this reading can take as valid: a small one is read whole for parseTrivyReport's error; a big one
 * fails with `reason` ("is not…", "does not…"), never read whole.
 */
export class ReadWhole extends Error {
  constructor(readonly reason = 'is not a Trivy JSON report (its Results could not be read)') {
    super(reason);
  }
}
const NOT_JSON = 'is not valid JSON (truncated or malformed)';
const NOT_FINDINGS = "does not match Trivy's JSON schema v2: a Results[].Vulnerabilities entry is not an object";
/** Above this size, a report this reading cannot take is not read whole for a finer error. */
export const WHOLE_READ_MAX_BYTES = 16 << 20;

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const optString = (x: unknown) => x === undefined || typeof x === 'string';
const nullish = (x: unknown, each: (y: unknown) => boolean) =>
  x === undefined || x === null || (Array.isArray(x) && x.every(each));
const nullishRecord = (x: unknown, each: (y: unknown) => boolean) =>
  x === undefined || x === null || (isObject(x) && Object.values(x).every(each));
const score = (x: unknown) => x === undefined || (typeof x === 'number' && x >= 0 && x <= 10);
const cvss = (c: unknown) =>
  isObject(c) &&
  optString(c.V2Vector) &&
  optString(c.V3Vector) &&
  optString(c.V40Vector) &&
  score(c.V2Score) &&
  score(c.V3Score) &&
  score(c.V40Score);
const OPTIONAL_STRINGS = ['PkgID', 'PkgPath', 'InstalledVersion', 'FixedVersion', 'Status', 'SeveritySource'];
const SEVERITY_NAMES = new Set<unknown>(SEVERITIES);

/**
 * True only for a vulnerability that trivyVulnerabilitySchema accepts unchanged (but for InstalledVersion's
 * default): a cheap check for the common case; anything else goes through the schema itself.
 */
export function plainlyValidVulnerability(v: Json): boolean {
  const id = v.PkgIdentifier;
  return (
    typeof v.VulnerabilityID === 'string' &&
    v.VulnerabilityID.length > 0 &&
    typeof v.PkgName === 'string' &&
    v.PkgName.length > 0 &&
    SEVERITY_NAMES.has(v.Severity) &&
    OPTIONAL_STRINGS.every((k) => optString(v[k])) &&
    optString(v.PrimaryURL) &&
    optString(v.Title) &&
    optString(v.Description) &&
    (id === undefined || (isObject(id) && optString(id.PURL) && optString(id.UID))) &&
    nullish(v.CweIDs, (x) => typeof x === 'string') &&
    nullish(v.References, (x) => typeof x === 'string') &&
    nullishRecord(v.VendorSeverity, (x) => typeof x === 'number') &&
    nullishRecord(v.CVSS, cvss)
  );
}

function checkedVulnerability(raw: unknown, where: () => string): Json {
  if (isObject(raw) && plainlyValidVulnerability(raw))
    return raw.InstalledVersion === undefined ? { ...raw, InstalledVersion: '' } : raw;
  const parsed = trivyVulnerabilitySchema.safeParse(raw);
  if (!parsed.success)
    throw new ReadWhole(`does not match Trivy's JSON schema v2 at ${where()}:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

function slimVulnerability(raw: unknown, texts: Map<string, string>, where: () => string): TrivyVulnerability {
  const v = checkedVulnerability(raw, where);
  const out: Record<string, unknown> = {};
  for (const k of GATE_FIELDS) {
    let x = v[k];
    if (x === undefined) continue;
    if (typeof x === 'string' && SHARED_TEXTS.has(k)) {
      const seen = texts.get(x);
      if (seen === undefined) texts.set(x, x);
      else x = seen;
    }
    out[k] = x;
  }
  return out as TrivyVulnerability;
}

/**
 * The first `}` after `open` that starts a line indented as the line from `newline` to `open` is (a native search
 * for `}`, then the bytes before it compared); -1 when this chunk has none.
 */
function closingBrace(buf: Buffer, newline: number, open: number): number {
  const indent = open - newline;
  for (let at = buf.indexOf(0x7d, open + 1); at !== -1; at = buf.indexOf(0x7d, at + 1)) {
    if (at - indent <= open) continue;
    let k = 0;
    while (k < indent && buf[at - indent + k] === buf[newline + k]) k++;
    if (k === indent) return at;
  }
  return -1;
}

/**
 * A scanner of JSON bytes that hands each element of `Results[i].Vulnerabilities` to `onVulnerability` and keeps
 * every other byte (the skeleton, with those arrays empty). Depths: 1 the report, 2 Results, 3 a result, 4 its
 * Vulnerabilities, 5 one vulnerability.
 */
export class ReportScanner {
  skeleton: Buffer[] = [];
  private element: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The last string closed at depths 1 and 3 (the key before a `[`), and the bytes of one being read there. */
  private lastKey = ['', '', '', ''];
  private keyBytes: Buffer[] | undefined;
  private inResults = false;
  private mode: 'skeleton' | 'between' | 'element' = 'skeleton';
  resultIndex = -1;

  /** `parsed`: JSON.parse(json), when the scanner had to parse it already (an element found by its indentation). */
  constructor(
    private readonly onVulnerability: (result: number, json: string, parsed?: unknown) => void,
    /** False: every finding walked byte by byte (the bench's floor of a bare pass). */
    private readonly byIndentation = true,
  ) {}

  push(buf: Buffer): void {
    let start = 0;
    const n = buf.length;
    this.next.fill(-2);
    this.noCloseInChunk = false;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(buf, i);
        continue;
      }
      if (this.mode !== 'between') {
        // Only quotes, braces and brackets matter here: jump to the next one.
        i = this.nextStructural(buf, i);
        if (i >= n) break;
      }
      const c = buf[i];
      if (this.mode === 'between' && c === 0x7b && this.depth === 4 && this.byIndentation) {
        const end = this.indentedElement(buf, i);
        if (end !== -1) {
          i = start = end;
          continue;
        }
      }
      if (c === QUOTE) {
        if (this.mode === 'between') throw new ReadWhole(NOT_FINDINGS);
        this.inString = true;
        if (this.depth === 1 || this.depth === 3) this.keyBytes = [];
        i++;
        if (this.keyBytes) this.keyStart = i;
        continue;
      }
      if (c === 0x7b || c === 0x5b) start = this.open(buf, i, c, start);
      else if (c === 0x7d || c === 0x5d) start = this.close(buf, i, c, start);
      else if (this.mode === 'between' && c !== 0x2c && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)
        throw new ReadWhole(NOT_FINDINGS);
      i++;
    }
    if (this.mode === 'skeleton') this.skeleton.push(Buffer.from(buf.subarray(start)));
    else if (this.mode === 'element') this.element.push(Buffer.from(buf.subarray(start)));
    if (this.keyBytes && this.inString) this.keyBytes.push(Buffer.from(buf.subarray(this.keyStart)));
    this.keyStart = 0;
  }

  private keyStart = 0;
  private noCloseInChunk = false;
  /** Per byte of STRUCTURAL (and the backslash, last): its next position at or after the scan (-1 none, -2 unknown). */
  private readonly next = [-2, -2, -2, -2, -2, -2];

  private nextOf(buf: Buffer, k: number, i: number): number {
    const at = this.next[k];
    if (at === -1 || at >= i) return at;
    return (this.next[k] = buf.indexOf(STRUCTURAL[k], i));
  }

  private nextStructural(buf: Buffer, i: number): number {
    let min = buf.length;
    for (let k = 0; k < 5; k++) {
      const at = this.nextOf(buf, k, i);
      if (at !== -1 && at < min) min = at;
    }
    return min;
  }

  /** Past the string's closing quote (or the chunk's end), escapes skipped with native searches. */
  private skipString(buf: Buffer, i: number): number {
    if (this.escaped) {
      this.escaped = false;
      return i + 1;
    }
    const quote = this.nextOf(buf, 0, i);
    const backslash = this.nextOf(buf, 5, i);
    if (backslash !== -1 && (quote === -1 || backslash < quote)) {
      if (backslash + 1 >= buf.length) this.escaped = true;
      return backslash + 2;
    }
    if (quote === -1) return buf.length;
    this.inString = false;
    if (this.keyBytes) {
      this.keyBytes.push(buf.subarray(this.keyStart, quote));
      this.lastKey[this.depth] = Buffer.concat(this.keyBytes).toString('utf8');
      this.keyBytes = undefined;
    }
    return quote + 1;
  }

  /**
   * A pretty-printed element found whole without walking it: it ends at the first newline followed by its own
   * indentation and `}` (a raw newline is never inside a JSON string). JSON.parse taking that slice proves it is the
   * element (a shorter slice is unbalanced, a longer one has text after the object). Returns the end, or -1 (not
   * indented, not whole in this chunk, or not parsed): then the element is walked byte by byte.
   */
  private indentedElement(buf: Buffer, i: number): number {
    let line = i;
    while (line > 0 && (buf[line - 1] === 0x20 || buf[line - 1] === 0x09)) line--;
    if (line === 0 || buf[line - 1] !== 0x0a || line === i) return -1;
    if (this.noCloseInChunk) return -1;
    const at = closingBrace(buf, line - 1, i);
    // None to the chunk's end: later searches in this chunk would cover less of it; not searched again.
    if (at === -1) return ((this.noCloseInChunk = true), -1);
    const end = at + 1;
    const json = buf.toString('utf8', i, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return -1;
    }
    this.onVulnerability(this.resultIndex, json, parsed);
    return end;
  }

  private open(buf: Buffer, i: number, c: number, start: number): number {
    this.depth++;
    if (this.mode === 'between') {
      if (c !== 0x7b || this.depth !== 5) throw new ReadWhole(NOT_FINDINGS);
      this.mode = 'element';
      return i;
    }
    if (this.mode !== 'skeleton') return start;
    if (this.depth === 2 && c === 0x5b && this.lastKey[1] === 'Results') this.inResults = true;
    else if (this.depth === 3 && this.inResults && c === 0x7b) {
      this.resultIndex++;
      this.lastKey[3] = '';
    } else if (this.depth === 4 && this.inResults && c === 0x5b && this.lastKey[3] === 'Vulnerabilities') {
      this.skeleton.push(Buffer.from(buf.subarray(start, i + 1)));
      this.mode = 'between';
      return i + 1;
    }
    return start;
  }

  private close(buf: Buffer, i: number, c: number, start: number): number {
    this.depth--;
    if (this.mode === 'element' && this.depth === 4) {
      let json: string;
      if (this.element.length) {
        this.element.push(buf.subarray(start, i + 1));
        json = Buffer.concat(this.element).toString('utf8');
        this.element = [];
      } else json = buf.toString('utf8', start, i + 1);
      this.mode = 'between';
      this.onVulnerability(this.resultIndex, json);
      return i + 1;
    }
    if (this.mode === 'between') {
      if (c !== 0x5d) throw new ReadWhole(NOT_JSON);
      this.mode = 'skeleton';
      return i;
    }
    if (this.depth < 2) this.inResults = false;
    return start;
  }
}

export function scanFile(file: string, scanner: ReportScanner, chunkBytes = CHUNK_BYTES): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) break;
      scanner.push(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

function readStreamed(file: string, chunkBytes: number): TrivyReport {
  const texts = new Map<string, string>();
  const vulnerabilities: TrivyVulnerability[][] = [];
  const scanner = new ReportScanner((result, json, parsed) => {
    const list = (vulnerabilities[result] ??= []);
    const where = () => `Results[${result}].Vulnerabilities[${list.length}]`;
    let raw = parsed;
    if (raw === undefined)
      try {
        raw = JSON.parse(json);
      } catch {
        throw new ReadWhole(`${NOT_JSON} at ${where()}`);
      }
    list.push(slimVulnerability(raw, texts, where));
  });
  scanFile(file, scanner, chunkBytes);
  let raw: { SchemaVersion?: unknown; Results?: Array<Record<string, unknown>> | null };
  try {
    raw = JSON.parse(Buffer.concat(scanner.skeleton).toString('utf8'));
  } catch {
    throw new ReadWhole(NOT_JSON);
  }
  const problem = reportShapeProblem(raw);
  if (problem) throw new ReadWhole(problem);
  const results = Array.isArray(raw.Results) ? raw.Results : [];
  if (results.length !== scanner.resultIndex + 1 && vulnerabilities.length) throw new ReadWhole();
  const parsed = trivyReportSchema.safeParse(raw);
  if (!parsed.success) throw new ReadWhole(`does not match Trivy's JSON schema v2:\n${formatIssues(parsed.error)}`);
  (parsed.data.Results ?? []).forEach((r, i) => {
    if (vulnerabilities[i]) r.Vulnerabilities = vulnerabilities[i];
  });
  return parsed.data;
}

/**
 * Reads a Trivy JSON report file for the gate, SARIF and summary in bounded memory (see above). The result holds
 * every field of the report except the vulnerabilities' fields no output reads (References, CweIDs, dates, …).
 */
export function readReportForGate(
  file: string,
  source = file,
  chunkBytes = CHUNK_BYTES,
  wholeReadMax = WHOLE_READ_MAX_BYTES,
): TrivyReport {
  try {
    return readStreamed(file, chunkBytes);
  } catch (e) {
    if (!(e instanceof ReadWhole)) throw e;
    // A big report that cannot be read is an error without the whole of it in memory.
    if (statSync(file).size > wholeReadMax) throw new ReportError(`${source} ${e.reason}`);
    return parseTrivyReport(readFileSync(file, 'utf8'), source);
  }
}

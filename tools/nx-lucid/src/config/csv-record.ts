/**
 * The CSV reading docker/metadata-action applies to a tag or flavor line: csv-parse's `parse(line,
 * { relaxColumnCount: true, skipEmptyLines: true })`, re-implemented for its defaults (delimiter `,`, quote and
 * escape `"`, record delimiter discovered from the first \r\n, \n or \r outside quotes, no trimming, quotes strict:
 * an opening quote inside a field, text after a closing quote, or an unclosed quote is an error with csv-parse's
 * wording). Its oracle spec runs csv-parse itself over tricky lines. Pure.
 */

interface CsvState {
  records: string[][];
  record: string[];
  field: string;
  quoting: boolean;
  wasQuoting: boolean;
  /** Discovered at the first line break outside quotes. */
  recordDelimiter: string | undefined;
  line: number;
}

function csvError(input: string, message: string): Error {
  return new Error(`${message} (in ${JSON.stringify(input)})`);
}

function discover(s: string, pos: number): string | undefined {
  return ['\r\n', '\n', '\r'].find((rd) => s.startsWith(rd, pos));
}

function endField(st: CsvState): void {
  st.record.push(st.field);
  st.field = '';
  st.wasQuoting = false;
}

function endRecord(st: CsvState): void {
  endField(st);
  st.records.push(st.record);
  st.record = [];
}

/** A `"` at pos: opens or closes a quoted field (an escaped `""` is handled before). Throws where csv-parse does. */
function quote(st: CsvState, s: string, pos: number): void {
  if (!st.quoting) {
    if (st.field.length !== 0) {
      throw csvError(
        s,
        `Invalid Opening Quote: a quote is found on field ${st.record.length} at line ${st.line}, value is ${JSON.stringify(st.field)}`,
      );
    }
    st.quoting = true;
    return;
  }
  const next = s[pos + 1];
  st.recordDelimiter ??= discover(s, pos + 1);
  const closes =
    next === undefined ||
    next === ',' ||
    (st.recordDelimiter !== undefined && s.startsWith(st.recordDelimiter, pos + 1));
  if (!closes) {
    throw csvError(
      s,
      `Invalid Closing Quote: got "${next}" at line ${st.line} instead of delimiter, record delimiter, trimable character (if activated) or comment`,
    );
  }
  st.quoting = false;
  st.wasQuoting = true;
}

/** Every record of the input, as csv-parse's parse(input, { relaxColumnCount: true, skipEmptyLines: true }). */
export function parseCsvRecords(s: string): string[][] {
  const st: CsvState = {
    records: [],
    record: [],
    field: '',
    quoting: false,
    wasQuoting: false,
    recordDelimiter: undefined,
    line: 1,
  };
  for (let pos = 0; pos < s.length; pos++) {
    if (!st.quoting && st.recordDelimiter === undefined) st.recordDelimiter = discover(s, pos);
    const chr = s[pos];
    if (st.quoting && chr === '"' && s[pos + 1] === '"') {
      st.field += '"'; // an escaped quote
      pos++;
      continue;
    }
    if (chr === '"') {
      quote(st, s, pos);
      continue;
    }
    if (!st.quoting && st.recordDelimiter !== undefined && s.startsWith(st.recordDelimiter, pos)) {
      pos += st.recordDelimiter.length - 1;
      st.line++;
      const empty = !st.wasQuoting && st.record.length === 0 && st.field.length === 0;
      if (!empty) endRecord(st);
      continue;
    }
    if (!st.quoting && chr === ',') endField(st);
    else st.field += chr;
  }
  if (st.quoting)
    throw csvError(s, `Quote Not Closed: the parsing is finished with an opening quote at line ${st.line}`);
  if (st.wasQuoting || st.record.length !== 0 || st.field.length !== 0) endRecord(st);
  return st.records;
}

/** The first record's fields, as the action reads a rule line ([] for an empty line). */
export function csvFields(s: string): string[] {
  return parseCsvRecords(s)[0] ?? [];
}

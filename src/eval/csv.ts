// Readers for the evaluation lists of ../shared/data (see its SOURCES.md):
//   pairs.csv  file_a,file_b,same   (same: 1 same person, 0 different)
//   labels.csv file,identity
// and for a scores file, file_a,file_b,score (precomputed scores of any model).
// A header row names the columns (any order; extra columns are kept). Fields may be quoted
// the RFC 4180 way; CRLF, a UTF-8 BOM and blank lines are accepted.

import { readFile } from 'node:fs/promises';
import { describeValue } from './validate.js';

export interface PairRow {
  fileA: string;
  fileB: string;
  same: boolean;
  /** 1-based line in the source, for messages. */
  line: number;
  /** Columns other than file_a, file_b, same (e.g. a group label). */
  extra: Record<string, string>;
}

/** A row of a scores file: file_a,file_b,score (a model's score for a pair, higher = more alike). */
export interface ScoreRow {
  fileA: string;
  fileB: string;
  score: number;
  line: number;
}

export interface LabelRow {
  file: string;
  identity: string;
  line: number;
  extra: Record<string, string>;
}

interface Record_ {
  fields: string[];
  line: number;
}

/** Splits CSV text into records (RFC 4180 quoting). */
export function parseCsvRecords(text: string, source = 'csv'): Record_[] {
  if (typeof text !== 'string') throw new TypeError(`text: expected a string, got ${describeValue(text)}`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: Record_[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let wasQuoted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is one empty unquoted field: skip it.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '' || wasQuoted) throw new RangeError(`${source}:${line}: expected a quote only at the start of a field, got one inside ${JSON.stringify(field)}`);
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw new RangeError(`${source}:${recordLine}: expected a closing quote, got end of file`);
  endRecord();
  return records;
}

function table(text: string, required: readonly string[], source: string): { rows: Record_[]; col: Map<string, number>; header: string[] } {
  const records = parseCsvRecords(text, source);
  if (records.length === 0) throw new RangeError(`${source}: expected a header row with columns ${required.join(',')}, got an empty file`);
  const header = records[0].fields.map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = required.filter((r) => !col.has(r));
  if (missing.length > 0) {
    throw new RangeError(`${source}:${records[0].line}: expected a header with columns ${required.join(',')}, got ${JSON.stringify(header.join(','))}`);
  }
  const rows = records.slice(1);
  for (const r of rows) {
    if (r.fields.length !== header.length) {
      throw new RangeError(`${source}:${r.line}: expected ${header.length} fields, got ${r.fields.length}`);
    }
  }
  return { rows, col, header };
}

function extras(header: string[], fields: string[], known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((h, i) => {
    if (!known.includes(h)) out[h] = fields[i];
  });
  return out;
}

function nonEmpty(value: string, column: string, source: string, line: number): string {
  const v = value.trim();
  if (v === '') throw new RangeError(`${source}:${line}: expected a non-empty ${column}, got ""`);
  return v;
}

const PAIR_COLUMNS = ['file_a', 'file_b', 'same'] as const;
const LABEL_COLUMNS = ['file', 'identity'] as const;
const SCORE_COLUMNS = ['file_a', 'file_b', 'score'] as const;

/** Parses pairs.csv text. `same` accepts 1/0 and true/false (any case). */
export function parsePairsCsv(text: string, source = 'pairs.csv'): PairRow[] {
  const { rows, col, header } = table(text, PAIR_COLUMNS, source);
  return rows.map(({ fields, line }) => {
    const raw = fields[col.get('same')!].trim().toLowerCase();
    let same: boolean;
    if (raw === '1' || raw === 'true') same = true;
    else if (raw === '0' || raw === 'false') same = false;
    else throw new RangeError(`${source}:${line}: expected same to be 0 or 1, got ${JSON.stringify(fields[col.get('same')!])}`);
    return {
      fileA: nonEmpty(fields[col.get('file_a')!], 'file_a', source, line),
      fileB: nonEmpty(fields[col.get('file_b')!], 'file_b', source, line),
      same,
      line,
      extra: extras(header, fields, PAIR_COLUMNS),
    };
  });
}

/** Parses labels.csv text. */
export function parseLabelsCsv(text: string, source = 'labels.csv'): LabelRow[] {
  const { rows, col, header } = table(text, LABEL_COLUMNS, source);
  return rows.map(({ fields, line }) => ({
    file: nonEmpty(fields[col.get('file')!], 'file', source, line),
    identity: nonEmpty(fields[col.get('identity')!], 'identity', source, line),
    line,
    extra: extras(header, fields, LABEL_COLUMNS),
  }));
}

/** Parses a scores file (file_a,file_b,score), e.g. another model's output for a pair list. */
export function parseScoresCsv(text: string, source = 'scores.csv'): ScoreRow[] {
  const { rows, col } = table(text, SCORE_COLUMNS, source);
  return rows.map(({ fields, line }) => {
    const raw = fields[col.get('score')!].trim();
    const score = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(score)) throw new RangeError(`${source}:${line}: expected score to be a finite number, got ${JSON.stringify(raw)}`);
    return {
      fileA: nonEmpty(fields[col.get('file_a')!], 'file_a', source, line),
      fileB: nonEmpty(fields[col.get('file_b')!], 'file_b', source, line),
      score,
      line,
    };
  });
}

export async function readScoresCsv(path: string): Promise<ScoreRow[]> {
  if (typeof path !== 'string') throw new TypeError(`path: expected a file path string, got ${describeValue(path)}`);
  return parseScoresCsv(await readFile(path, 'utf8'), path);
}

export async function readPairsCsv(path: string): Promise<PairRow[]> {
  if (typeof path !== 'string') throw new TypeError(`path: expected a file path string, got ${describeValue(path)}`);
  return parsePairsCsv(await readFile(path, 'utf8'), path);
}

export async function readLabelsCsv(path: string): Promise<LabelRow[]> {
  if (typeof path !== 'string') throw new TypeError(`path: expected a file path string, got ${describeValue(path)}`);
  return parseLabelsCsv(await readFile(path, 'utf8'), path);
}

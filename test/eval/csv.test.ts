import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedData } from '../helpers/shared.js';
import { parseCsvRecords, parseLabelsCsv, parsePairsCsv, readLabelsCsv, readPairsCsv } from '../../src/eval/csv.js';


describe('parseCsvRecords', () => {
  it('handles quotes, doubled quotes, CRLF, a BOM and blank lines', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",z\n';
    expect(parseCsvRecords(text)).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, y', 'say "hi"'], line: 2 },
      { fields: ['multi\nline', 'z'], line: 4 },
    ]);
  });

  it('reports a broken quote with its line', () => {
    expect(() => parseCsvRecords('a\n"open', 'f.csv')).toThrow(new RangeError('f.csv:2: expected a closing quote, got end of file'));
    expect(() => parseCsvRecords('a\nx"y', 'f.csv')).toThrow(RangeError);
  });
});

describe('parsePairsCsv', () => {
  it('reads file_a,file_b,same in any column order and keeps extra columns', () => {
    const rows = parsePairsCsv('same,file_b,file_a,group\n1,b.jpg,a.jpg,g1\nfalse,c.jpg,a.jpg,g2\nTRUE,d.jpg,e.jpg,g1\n');
    expect(rows).toEqual([
      { fileA: 'a.jpg', fileB: 'b.jpg', same: true, line: 2, extra: { group: 'g1' } },
      { fileA: 'a.jpg', fileB: 'c.jpg', same: false, line: 3, extra: { group: 'g2' } },
      { fileA: 'e.jpg', fileB: 'd.jpg', same: true, line: 4, extra: { group: 'g1' } },
    ]);
  });

  it('names the file, line, column and value on bad input', () => {
    expect(() => parsePairsCsv('file_a,file_b\na,b\n', 'p.csv')).toThrow(
      new RangeError('p.csv:1: expected a header with columns file_a,file_b,same, got "file_a,file_b"'),
    );
    expect(() => parsePairsCsv('file_a,file_b,same\na,b,2\n', 'p.csv')).toThrow(new RangeError('p.csv:2: expected same to be 0 or 1, got "2"'));
    expect(() => parsePairsCsv('file_a,file_b,same\na,b\n', 'p.csv')).toThrow(new RangeError('p.csv:2: expected 3 fields, got 2'));
    expect(() => parsePairsCsv('file_a,file_b,same\n,b,1\n', 'p.csv')).toThrow(new RangeError('p.csv:2: expected a non-empty file_a, got ""'));
    expect(() => parsePairsCsv('', 'p.csv')).toThrow(new RangeError('p.csv: expected a header row with columns file_a,file_b,same, got an empty file'));
    expect(() => parsePairsCsv(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('parseLabelsCsv', () => {
  it('reads file,identity', () => {
    expect(parseLabelsCsv('file,identity\nx/1.png,amy\n')).toEqual([{ file: 'x/1.png', identity: 'amy', line: 2, extra: {} }]);
    expect(() => parseLabelsCsv('file,name\n')).toThrow(RangeError);
  });
});

describe('readPairsCsv / readLabelsCsv', () => {
  it('read from disk and name the path in errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'facecore-csv-'));
    try {
      const file = path.join(dir, 'pairs.csv');
      await writeFile(file, 'file_a,file_b,same\na,b,1\na,c,x\n');
      await expect(readPairsCsv(file)).rejects.toThrow(`${file}:3: expected same to be 0 or 1, got "x"`);
      await expect(readPairsCsv(path.join(dir, 'missing.csv'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  describe.skipIf(!hasShared)('on ../shared/data (skipped: ../shared is absent)', () => {
    it('reads deepface as SOURCES.md describes it: 298 pairs, 91 same; 43 labels', async () => {
      const pairs = await readPairsCsv(sharedData('deepface/pairs.csv'));
      expect(pairs).toHaveLength(298);
      expect(pairs.filter((p) => p.same)).toHaveLength(91);
      expect(await readLabelsCsv(sharedData('deepface/labels.csv'))).toHaveLength(43);
    });

    it('reads the LFW view-2 list: 6000 pairs, 300 same then 300 different per fold', async () => {
      const pairs = await readPairsCsv(sharedData('facenet/lfw_pairs.csv'));
      expect(pairs).toHaveLength(6000);
      expect(pairs.slice(0, 300).every((p) => p.same)).toBe(true);
      expect(pairs.slice(300, 600).every((p) => !p.same)).toBe(true);
    });
  });
});

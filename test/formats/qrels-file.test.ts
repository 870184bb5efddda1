import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readQrels } from '../../src/formats/qrels-file.js';
import { UserError } from '../../src/errors.js';
import { nested, tempFile } from '../helpers/inputs.js';
import { itWithShared, SHARED_BEIR } from '../helpers/shared.js';

describe('readQrels: BEIR TSV', () => {
  it('skips the header, handles BOM + CRLF, keeps 0/negative rows, last row wins, keeps query order', async () => {
    const path = tempFile(
      'test.tsv',
      '\uFEFFquery-id\tcorpus-id\tscore\r\n' +
        'q2\td1\t1\r\n' +
        'q1\td9\t0\r\n' +
        'q2\td2\t-1\r\n' +
        'q2\td1\t 2 \r\n' + // repeats (q2, d1): the last row (2) wins, position unchanged; int(" 2 ") = 2
        '\r\n',
    );
    const qrels = await readQrels(path);
    expect([...qrels.keys()]).toEqual(['q2', 'q1']);
    expect(qrels).toEqual(nested({ q2: { d1: 2, d2: -1 }, q1: { d9: 0 } }));
  });

  it('always skips the first line even when it looks like data (BEIR never reads it)', async () => {
    const path = tempFile('x.tsv', 'q0\td0\t1\nq1\td1\t1\n');
    expect(await readQrels(path, { format: 'beir' })).toEqual(nested({ q1: { d1: 1 } }));
  });

  itWithShared('reads the real SciFact test qrels: 300 queries, 339 rows', async () => {
    const qrels = await readQrels(join(SHARED_BEIR, 'scifact/qrels/test.tsv'));
    expect(qrels.size).toBe(300);
    let rows = 0;
    for (const docs of qrels.values()) rows += docs.size;
    expect(rows).toBe(339);
    expect([...qrels.keys()][0]).toBe('1'); // first data row is "1\t31715818\t1"
  });

  itWithShared('keeps the two negative rows of TREC-COVID', async () => {
    const qrels = await readQrels(join(SHARED_BEIR, 'trec-covid/qrels/test.tsv'));
    expect(qrels.size).toBe(50);
    let negative = 0;
    for (const docs of qrels.values()) for (const g of docs.values()) if (g < 0) negative++;
    expect(negative).toBe(2);
  });

  it.each([
    ['q1\td1\n', ':2: expected 3 tab-separated columns'],
    ['q1\td1\t1\t7\n', ':2: expected 3 tab-separated columns'],
    ['q1\td1\t1.0\n', ':2: relevance grade must be an integer, got "1.0"'],
    ['q1\td1\t\n', ':2: relevance grade must be an integer'],
    ['\td1\t1\n', ':2: empty query-id'],
  ])('malformed row %j is a UserError naming file:line', async (row, message) => {
    const path = tempFile('bad.tsv', 'query-id\tcorpus-id\tscore\n' + row);
    const err = await readQrels(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(path + message);
  });
});

describe('readQrels: TREC', () => {
  it('reads qid iter docno rel with mixed whitespace, auto-detected', async () => {
    const path = tempFile('qrels.txt', '301 0 FBIS-1  1\n301\t0\tFBIS-2\t0\n302 0 LA-1 -1\n301 0 FBIS-1 2\n');
    expect(await readQrels(path)).toEqual(nested({ '301': { 'FBIS-1': 2, 'FBIS-2': 0 }, '302': { 'LA-1': -1 } }));
  });

  it('line numbers count blank lines too', async () => {
    const path = tempFile('qrels.txt', '1 0 a 1\n\n1 0 b x\n');
    await expect(readQrels(path)).rejects.toThrow(`${path}:3: relevance grade must be an integer, got "x"`);
  });

  it('wrong column count names file:line', async () => {
    const path = tempFile('qrels.txt', '1 0 a 1\n1 0 b\n');
    await expect(readQrels(path, { format: 'trec' })).rejects.toThrow(`${path}:2: expected 4 whitespace-separated columns`);
  });

  it('an undetectable first line says so', async () => {
    const path = tempFile('qrels.txt', 'just two\n');
    await expect(readQrels(path)).rejects.toThrow(`${path}:1: cannot tell the qrels format`);
  });

  it('a missing file is a UserError', async () => {
    await expect(readQrels('/nonexistent/qrels.tsv')).rejects.toThrow(/cannot read qrels file \/nonexistent\/qrels.tsv: ENOENT/);
  });
});

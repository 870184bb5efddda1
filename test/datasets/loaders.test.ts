import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadDataset, readCorpus, readQueries } from '../../src/datasets/loaders.js';
import { itWithShared, SHARED_BEIR as BEIR } from '../helpers/shared.js';
import { docsOf } from '../helpers/corpus.js';

const TINY = join(import.meta.dirname, '../fixtures/datasets/tiny');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'beir-load-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A BEIR folder in the scratch area built from file contents. */
async function folderWith(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(scratch, name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(folder, rel, '..'), { recursive: true });
    await writeFile(join(folder, rel), content);
  }
  return folder;
}

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as Error);

describe('readCorpus / readQueries', () => {
  it('reads a BOM + CRLF corpus: ids coerced to strings, missing/null title = "", blank lines skipped', async () => {
    expect(await collect(readCorpus(join(TINY, 'corpus.jsonl')))).toEqual([
      { id: 'd1', title: 'Aspirin', text: 'Aspirin reduces fever and pain.' },
      { id: '2', title: '', text: 'Vitamin C   does not   cure colds.' },
      { id: 'd3', title: '', text: '' },
      { id: 'd4', title: 'Sleep', text: 'Adults need seven to nine hours of sleep.' },
      { id: 'd5', title: 'Filler', text: 'Unrelated filler passage.' },
    ]);
  });

  it('reads every query of queries.jsonl (CRLF, numeric id)', async () => {
    const q = await readQueries(join(TINY, 'queries.jsonl'));
    expect([...q.keys()]).toEqual(['q1', 'q2', '3', 'q4']);
    expect(q.get('3')).toBe('How much sleep do adults need');
  });

  it('names file and line of a malformed JSON line (line numbers count blank lines and a BOM line)', async () => {
    const folder = await folderWith('bad-json', { 'corpus.jsonl': '\ufeff{"_id":"a","text":"x"}\r\n\r\n{"_id":"b","text": oops}\r\n' });
    const err = await rejection(collect(readCorpus(join(folder, 'corpus.jsonl'))));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`^${join(folder, 'corpus.jsonl')}:3: malformed JSON line`));
  });

  it.each([
    ['a missing _id', '{"text":"x"}', /:1: field "_id" must be a non-empty string or a number, got nothing/],
    ['a non-string text', '{"_id":"a","text":5}', /:1: field "text" must be a string, got 5/],
    ['a numeric title', '{"_id":"a","title":7,"text":"x"}', /:1: field "title" must be a string, got 7/],
    ['a JSON array line', '["a"]', /:1: expected a JSON object/],
  ])('rejects %s naming file:line and field', async (_what, line, message) => {
    const folder = await folderWith(`bad-field-${_what.replace(/\W+/g, '-')}`, { 'corpus.jsonl': `${line}\n` });
    const err = await rejection(collect(readCorpus(join(folder, 'corpus.jsonl'))));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(join(folder, 'corpus.jsonl'));
  });

  it('a missing file is a UserError naming it', async () => {
    const err = await rejection(readQueries(join(scratch, 'nope', 'queries.jsonl')));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`cannot read queries file ${join(scratch, 'nope', 'queries.jsonl')}: ENOENT`);
  });
});

describe('loadDataset', () => {
  it('keeps only judged queries in qrels order, every qrels row (last wins), and reports qrels docs missing from the corpus', async () => {
    const ds = await loadDataset('tiny', TINY, { split: 'test' });
    expect(ds.queries).toEqual([
      { id: '3', text: 'How much sleep do adults need' },
      { id: 'q1', text: 'does aspirin reduce fever?' },
      { id: 'q2', text: 'vitamin c colds' },
    ]);
    expect(ds.qrels).toEqual(new Map([
      ['3', new Map([['d4', 1]])],
      ['q1', new Map([['d1', 1], ['d9', 1]])],
      ['q2', new Map([['2', 1], ['d5', 0]])],
    ]));
    expect(ds.corpus.size).toBe(5);
    expect(ds.qrelsDocsMissingFromCorpus).toEqual({ rows: 1, docIds: 1, examples: ['d9'] });
    expect(Object.keys(ds.files).sort()).toEqual(['corpus.jsonl', 'qrels/test.tsv', 'queries.jsonl']);
    expect(ds.files['corpus.jsonl'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.files['qrels/test.tsv'].bytes).toBeGreaterThan(0);
  });

  it('uses the requested split', async () => {
    const ds = await loadDataset('tiny', TINY, { split: 'dev' });
    expect(ds.queries.map((q) => q.id)).toEqual(['q4']);
  });

  it('maxQueries and maxDocs pick by the seeded hash of the ids (slice order), not by file position', async () => {
    // Slice order (sha256 of "beir-bench slice v1\0" + id): queries q1 < 3 < q2; docs d5 < d4 < d3 < 2 (< d1).
    const ds = await loadDataset('tiny', TINY, { split: 'test', maxQueries: 2, maxDocs: 3 });
    expect(ds.queries.map((q) => q.id)).toEqual(['3', 'q1']);
    expect([...ds.qrels.keys()]).toEqual(['3', 'q1']);
    // Relevant: d4 (query 3), d1 and d9 (q1; d9 not in the corpus) -> budget 3 - 3 = 0 fillers.
    expect([...ds.corpus.ids]).toEqual(['d1', 'd4']);
    expect((await docsOf(ds.corpus)).map((d) => d.id)).toEqual(['d1', 'd4']);
    expect({ docs: ds.corpusDocsTotal, queries: ds.judgedQueriesTotal }).toEqual({ docs: 5, queries: 3 });
    // q1 alone: d1 and d9 relevant, one filler: d5, the first other doc in slice order (the last in the file).
    const wider = await loadDataset('tiny', TINY, { split: 'test', maxQueries: 1, maxDocs: 3 });
    expect(wider.queries.map((q) => q.id)).toEqual(['q1']);
    expect((await docsOf(wider.corpus)).map((d) => d.id)).toEqual(['d1', 'd5']);
  });

  it('a repeated corpus _id keeps its first position and last content (BEIR dict)', async () => {
    const folder = await folderWith('dup', {
      'corpus.jsonl': '{"_id":"a","text":"old"}\n{"_id":"b","text":"b"}\n{"_id":"a","text":"new"}\n',
      'queries.jsonl': '{"_id":"q","text":"q"}\n',
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq\ta\t1\n',
    });
    const ds = await loadDataset('dup', folder, { split: 'test' });
    expect(await docsOf(ds.corpus)).toEqual([{ id: 'a', title: '', text: 'new' }, { id: 'b', title: '', text: 'b' }]);
    expect(Array.from(ds.textWords)).toEqual([1, 1]);
  });

  it('a qrels query missing from queries.jsonl is an error naming it', async () => {
    const folder = await folderWith('missing-query', {
      'corpus.jsonl': '{"_id":"a","text":"x"}\n',
      'queries.jsonl': '{"_id":"q1","text":"x"}\n',
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\r\nq1\ta\t1\r\nq7\ta\t1\r\n',
    });
    const err = await rejection(loadDataset('m', folder, { split: 'test' }));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`^${join(folder, 'qrels/test.tsv')}:\\d+: field "query-id": query "q7" is not in ${join(folder, 'queries.jsonl')}$`));
  });

  it('a malformed qrels line is an error naming file:line (from readQrels)', async () => {
    const folder = await folderWith('bad-qrels', {
      'corpus.jsonl': '{"_id":"a","text":"x"}\n',
      'queries.jsonl': '{"_id":"q1","text":"x"}\n',
      'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\ta\n',
    });
    const err = await rejection(loadDataset('b', folder, { split: 'test' }));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(`${join(folder, 'qrels/test.tsv')}:2`);
  });

  itWithShared('names a missing corpus.jsonl, and a missing split with the splits there are', async () => {
    const noCorpus = await rejection(loadDataset('trec-covid', join(BEIR, 'trec-covid'), { split: 'test' }));
    expect(noCorpus).toBeInstanceOf(UserError);
    expect(noCorpus.message).toBe(`corpus.jsonl not found in ${BEIR}/trec-covid: ${BEIR}/trec-covid/corpus.jsonl is missing`);
    const noSplit = await rejection(loadDataset('scifact', join(BEIR, 'scifact'), { split: 'dev' }));
    expect(noSplit.message).toMatch(/^qrels\/dev\.tsv not found in .*scifact.*\(splits available: test, train; pick one with --split\)$/);
  });

  it('rejects a non-positive maxDocs', async () => {
    const err = await rejection(loadDataset('tiny', TINY, { split: 'test', maxDocs: 0 }));
    expect(err.message).toBe('maxDocs must be a positive integer, got 0');
  });

  itWithShared('loads real SciFact: 5,183 docs, 300 test queries in qrels order, 339 qrels rows, nothing missing', async () => {
    const ds = await loadDataset('scifact', join(BEIR, 'scifact'), { split: 'test' });
    expect(ds.corpus.size).toBe(5183);
    expect((await docsOf(ds.corpus)).length).toBe(5183);
    expect(ds.queries).toHaveLength(300);
    expect(ds.queries.slice(0, 2).map((q) => q.id)).toEqual(['1', '3']);
    expect([...ds.qrels.values()].reduce((n, m) => n + m.size, 0)).toBe(339);
    expect(ds.qrelsDocsMissingFromCorpus.rows).toBe(0);
    expect(ds.files['corpus.jsonl'].sha256.startsWith('dec31c81')).toBe(true);
  });
});

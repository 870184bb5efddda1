import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@opensearch-project/opensearch';
import { Bm25Index } from '../../src/backends/bm25.js';
import { nodeBm25Factor, OpenSearchBackend } from '../../src/backends/opensearch.js';
import type { Doc, Query } from '../../src/types.js';
import { deleteIndexes, indexSettingsOf, key, mappingOf, describeEachLine, options, rawClient, testPrefix } from './helpers.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';

/**
 * Text on which the embedded tokenizer and the standard analyzer agree (no inner punctuation such as
 * "don't" or "3.14"), with documents long enough (> 40 tokens) for Lucene's lossy length norm to matter.
 */
const words = 'protein cell gene expression tumor growth factor receptor signal pathway mouse model'.split(' ');
function corpus(): Doc[] {
  return Array.from({ length: 40 }, (_, i) => {
    const len = 3 + ((i * 7) % 90);
    const text = Array.from({ length: len }, (_, j) => words[(i * 3 + j * j) % words.length]).join(' ');
    return { id: `doc-${i}`, title: i % 4 === 0 ? '' : `Study ${i} of ${words[i % words.length]}`, text };
  });
}

const queries: Query[] = [
  { id: 'q1', text: 'Tumor growth factor' },
  { id: 'q2', text: 'mouse mouse model' }, // a repeated term counts twice
  { id: 'q3', text: 'receptor 17' },
  { id: 'q4', text: 'nothing matches zzz' },
];

describeEachLine('OpenSearch BM25 arm (real node)', ({ url }) => {
  const prefix = testPrefix();
  let client: Client;
  let backend: OpenSearchBackend;
  const docs = corpus();
  const bm25Key = key({ system: 'bm25', model: 'none' });

  beforeAll(async () => {
    client = rawClient(url);
    backend = await OpenSearchBackend.connect(options(prefix, {}, url));
    await backend.index({ key: bm25Key, corpus: memoryCorpus(docs) });
  });
  afterAll(async () => {
    await backend?.close();
    await deleteIndexes(client, prefix);
    await client?.close();
  });

  it('indexes title and text into one standard-analyzed field with BM25 k1 = 0.9, b = 0.4', async () => {
    const index = backend.indexName(bm25Key);
    const mapping = await mappingOf(client, index);
    expect(mapping.properties.vector).toBeUndefined();
    expect(mapping.properties.title).toEqual({ type: 'text', copy_to: ['contents'] });
    const settings = await indexSettingsOf(client, index);
    expect(settings.similarity.default).toEqual({ type: 'BM25', k1: '0.9', b: '0.4' });
  });

  it('reuses the BM25 index when nothing changed', async () => {
    const index = backend.indexName(bm25Key);
    const before = (await indexSettingsOf(client, index)).uuid;
    await backend.index({ key: bm25Key, corpus: memoryCorpus(docs) });
    expect((await indexSettingsOf(client, index)).uuid).toBe(before);
  });

  it('ranks exactly as the embedded BM25, scores equal up to the line\'s constant factor (2.x: 1 + k1, 3.x: 1)', async () => {
    const run = await backend.search({ key: bm25Key, queries, k: 40 });
    const embedded = Bm25Index.build(docs);
    const version = String(backend.describe().version);
    const factor = nodeBm25Factor(version);
    expect(factor).toBe(version.startsWith('2.') ? 1.9 : 1);
    for (const q of queries) {
      const expected = embedded.search(q.text, 40);
      const got = run.get(q.id)!;
      expect(got.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i].score * factor, 5));
    }
    expect(run.get('q4')!.length).toBe(0);
    expect(run.get('q1')!.length).toBeGreaterThan(10);
  });

  it('a score tie across the k-th hit gives the same run whatever order the index was built in (ties by doc id)', async () => {
    // 30 docs with the same text tie on every query term; the node alone would pick 10 of them by internal doc order.
    const tied = Array.from({ length: 30 }, (_, i) => ({ id: `tie-${String(i).padStart(2, '0')}`, title: '', text: 'apple orchard harvest' }));
    const orders = [tied, [...tied].reverse(), [...tied.slice(15), ...tied.slice(0, 15)]];
    const runs = [];
    for (const [i, order] of orders.entries()) {
      const k = key({ system: 'bm25', model: 'none', docSet: `ties-${i}` });
      await backend.index({ key: k, corpus: memoryCorpus(order) });
      runs.push((await backend.search({ key: k, queries: [{ id: 'q', text: 'apple' }], k: 10 })).get('q')!.map((h) => h.id));
    }
    const expected = Array.from({ length: 10 }, (_, i) => `tie-${29 - i}`);
    for (const run of runs) expect(run).toEqual(expected);
    expect(Bm25Index.build(tied).search('apple', 10).map((h) => h.id)).toEqual(expected);
  });

  it('a tie at the k-th hit among many matching docs is completed without asking past it (long queries, ArguAna)', async () => {
    // 36 docs match with distinct scores (each one filler word longer) except one pair tied across the 10th hit.
    const ranked = Array.from({ length: 35 }, (_, i) => ({ id: `len-${String(i).padStart(2, '0')}`, title: '', text: `apple ${'filler '.repeat(i + 1)}`.trim() }));
    const docs = [...ranked, { ...ranked[9], id: 'len-09-copy' }];
    const k = key({ system: 'bm25', model: 'none', docSet: 'long-tie' });
    await backend.index({ key: k, corpus: memoryCorpus(docs) });
    // A result window below the matching docs: asking again while the 10th and 11th hits tie (instead of while the
    // last hit ties) would ask for 44 hits and be refused.
    await client.indices.putSettings({ index: backend.indexName(k), body: { 'index.max_result_window': 30 } });
    const run = (await backend.search({ key: k, queries: [{ id: 'q', text: 'apple' }], k: 10 })).get('q')!.map((h) => h.id);
    expect(run).toEqual(Bm25Index.build(docs).search('apple', 10).map((h) => h.id));
    expect(run.slice(9)).toEqual(['len-09-copy']);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bm25Index, luceneNormLength, tokenize } from '../../src/backends/bm25.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { evaluate } from '../../src/eval/evaluate.js';
import type { Doc, Run } from '../../src/types.js';
import { SHARED_BEIR } from '../helpers/shared.js';

const doc = (id: string, title: string, text: string): Doc => ({ id, title, text });

/*
 * Hand-computed with k1 = 0.9, b = 0.4. Corpus: d1 "cat dog" (title + text), d2 "cat cat mouse", d3 "bird".
 * N = 3, tokens = 6, avgdl = 2. Length factor K(dl) = k1 * (1 - b + b * dl / avgdl):
 *   K(2) = 0.9 * (0.6 + 0.4) = 0.9;  K(3) = 0.9 * (0.6 + 0.6) = 1.08
 * idf(cat)  = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6      = 0.4700036
 * idf(dog)  = idf(mouse) = ln(1 + 2.5 / 1.5) = ln(8/3)       = 0.9808293
 * "cat":       d1 = 0.4700036 * 1 / (1 + 0.9)  = 0.2473703;  d2 = 0.4700036 * 2 / (2 + 1.08) = 0.3051972
 * "mouse dog": d1 = 0.9808293 / 1.9 = 0.5162259;             d2 = 0.9808293 / 2.08 = 0.4715526
 * "cat cat":   the repeated term counts twice: d2 = 0.6103943, d1 = 0.4947407
 */
const tiny = [doc('d1', 'Cat', 'dog'), doc('d2', '', 'cat CAT mouse'), doc('d3', '', 'bird')];

describe('Bm25Index', () => {
  const index = Bm25Index.build(tiny);

  it('scores with the Lucene BM25 formula (k1 = 0.9, b = 0.4)', () => {
    const cat = index.search('cat', 10);
    expect(cat.map((h) => h.id)).toEqual(['d2', 'd1']);
    expect(cat[0].score).toBeCloseTo(0.3051972, 6);
    expect(cat[1].score).toBeCloseTo(0.2473703, 6);

    const two = index.search('mouse dog', 10);
    expect(two.map((h) => h.id)).toEqual(['d1', 'd2']);
    expect(two[0].score).toBeCloseTo(0.5162259, 6);
    expect(two[1].score).toBeCloseTo(0.4715526, 6);

    const repeated = index.search('cat cat', 10);
    expect(repeated[0].score).toBeCloseTo(0.6103943, 6);
    expect(repeated[1].score).toBeCloseTo(0.4947407, 6);
  });

  it('returns float32 scores, at most k hits, and nothing for unknown terms', () => {
    const [best] = index.search('cat', 1);
    expect(index.search('cat', 1)).toHaveLength(1);
    expect(Math.fround(best.score)).toBe(best.score);
    expect(index.search('unicorn', 10)).toEqual([]);
    expect(index.search('', 10)).toEqual([]);
    expect(index.search('cat', 0)).toEqual([]);
  });

  it('breaks score ties by doc id descending (the shared ranking order)', () => {
    const tied = Bm25Index.build([doc('a', '', 'x'), doc('c', '', 'x'), doc('b', '', 'x'), doc('z', '', 'y')]);
    expect(tied.search('x', 2).map((h) => h.id)).toEqual(['c', 'b']);
  });

  it('drops the English stopwords only when asked', () => {
    const docs = [doc('d1', '', 'the cat'), doc('d2', '', 'the the the dog')];
    expect(Bm25Index.build(docs).search('the', 10).map((h) => h.id)).toEqual(['d2', 'd1']);
    expect(Bm25Index.build(docs, { stopwords: true }).search('the', 10)).toEqual([]);
    expect(Bm25Index.build(docs, { stopwords: true }).search('the cat', 10).map((h) => h.id)).toEqual(['d1']);
  });

  it('takes k1 and b as options (b = 0 ignores length)', () => {
    const docs = [doc('short', '', 'gene'), doc('long', '', 'gene x y z w v u t')];
    const hits = Bm25Index.build(docs, { b: 0 }).search('gene', 10);
    expect(hits[0].score).toBe(hits[1].score);
    const lengthAware = Bm25Index.build(docs).search('gene', 10);
    expect(lengthAware[0].id).toBe('short');
  });
});

describe('tokenize', () => {
  it('lowercases and splits on anything but Unicode letters, marks and digits', () => {
    expect(tokenize('Héllo, WORLD! naïve cafe\u0301 3.14 don\'t e5-small_v2')).toEqual([
      'héllo', 'world', 'naïve', 'cafe\u0301', '3', '14', 'don', 't', 'e5', 'small', 'v2',
    ]);
    expect(tokenize('Ελληνικά и русский')).toEqual(['ελληνικά', 'и', 'русский']);
  });
});

describe('luceneNormLength', () => {
  it('is exact below 40 tokens and lossy (rounded down) above, as Lucene SmallFloat.intToByte4', () => {
    for (let n = 0; n < 40; n++) expect(luceneNormLength(n)).toBe(n);
    expect(luceneNormLength(41)).toBe(40);
    expect(luceneNormLength(100)).toBe(96);
    expect(luceneNormLength(1000)).toBe(984);
  });
});

const scifact = join(SHARED_BEIR, 'scifact');
describe.skipIf(!existsSync(scifact))('Bm25Index on SciFact (real data)', () => {
  it('reaches the BM25 range (Pyserini flat, with stemming: 0.6789 NDCG@10)', async () => {
    const ds = await loadDataset('scifact', scifact, { split: 'test' });
    const index = Bm25Index.build(ds.docs);
    const run: Run = new Map(ds.queries.map((q) => [q.id, new Map(index.search(q.text, 10).map((h) => [h.id, h.score]))]));
    const ndcg = evaluate(ds.qrels, run, { metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true, averageOverAllQrels: false }).mean['ndcg_cut.10'];
    // Measured 0.6633 (no stemming, no stopwords); the gap to Pyserini is its Porter stemmer.
    expect(ndcg).toBeGreaterThan(0.65);
    expect(ndcg).toBeLessThan(0.69);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BM25_EMBEDDED_MAX_DOCS, BM25_B, BM25_K1, Bm25Builder, Bm25Index, bm25SizeAdvice, luceneNormLength, tokenize } from '../../src/backends/bm25.js';
import { loadDataset, readCorpus } from '../../src/datasets/loaders.js';
import { evaluate } from '../../src/eval/evaluate.js';
import type { Doc, Run } from '../../src/types.js';
import { describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

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

/** Lucene's BM25 term score in plain double arithmetic, to check the float32 implementation against. */
function bm25Term(tf: number, dl: number, avgdl: number, n: number, df: number): number {
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  return (idf * tf) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * luceneNormLength(dl)) / avgdl));
}

describe('Bm25Index postings widths', () => {
  it('keeps term frequencies past 255 and 65,535 (the narrow tf arrays widen)', () => {
    // Four docs of equal length, so only tf differs: score must increase with tf across both boundaries.
    const len = 70_000;
    const docOf = (tf: number) => doc(`tf${tf}`, '', 'x '.repeat(tf) + 'y '.repeat(len - tf));
    const tfs = [255, 256, 65_535, 65_536];
    const hits = Bm25Index.build(tfs.map(docOf)).search('x', 10);
    expect(hits.map((h) => h.id)).toEqual(['tf65536', 'tf65535', 'tf256', 'tf255']);
    for (const h of hits) expect(h.score).toBeCloseTo(bm25Term(Number(h.id.slice(2)), len, len, 4, 4), 5);
  });

  it('addresses more than 65,536 docs (the narrow doc index arrays widen)', () => {
    const docs = Array.from({ length: 70_000 }, (_, i) => doc(`d${i}`, '', `common w${i}`));
    const index = Bm25Index.build(docs);
    expect(index.search('w69999', 10).map((h) => h.id)).toEqual(['d69999']);
    expect(index.search('w65536 w1', 10).map((h) => h.id)).toEqual(['d65536', 'd1']); // tied, by id descending
    // Every doc ties on 'common'; the greatest id in UTF-8 order wins.
    expect(index.search('common', 1).map((h) => h.id)).toEqual(['d9999']);
  });
});

describe('Bm25Builder', () => {
  it('builds from docs added one at a time, and is spent by finish()', () => {
    const builder = new Bm25Builder({ b: 0 });
    for (const d of tiny) builder.add(d);
    const index = builder.finish();
    expect(index.params).toEqual({ k1: BM25_K1, b: 0 });
    expect(index.search('dog', 10).map((h) => h.id)).toEqual(['d1']);
    expect(() => builder.add(tiny[0])).toThrow(/after finish/);
    expect(() => builder.finish()).toThrow(/twice/);
  });

  it('indexes an empty corpus and docs without tokens', () => {
    expect(new Bm25Builder().finish().search('cat', 10)).toEqual([]);
    const index = Bm25Index.build([doc('empty', '', '...'), doc('d', '', 'cat')]);
    expect(index.search('cat', 10).map((h) => h.id)).toEqual(['d']);
  });
});

describe('bm25SizeAdvice', () => {
  it('recommends OpenSearch only past the documented size', () => {
    expect(bm25SizeAdvice(BM25_EMBEDDED_MAX_DOCS)).toBeNull();
    const advice = bm25SizeAdvice(2_681_468); // NQ
    expect(advice).toMatch(/^BM25 over 2,681,468 docs: .* use --backend opensearch$/);
    expect(advice).not.toMatch(/\n/);
    expect(bm25SizeAdvice(BM25_EMBEDDED_MAX_DOCS + 1)).not.toBeNull();
  });
});

describeWithShared('Bm25Index on SciFact (real data)', () => {
  const scifact = join(SHARED_BEIR, 'scifact');
  let index: Bm25Index;
  beforeAll(async () => {
    // Streamed from corpus.jsonl, never held as a whole, as a streaming caller would.
    const builder = new Bm25Builder();
    for await (const d of readCorpus(join(scifact, 'corpus.jsonl'))) builder.add(d);
    index = builder.finish();
  });

  it('reproduces bit for bit the top 100 of the implementation before the CSR rewrite', () => {
    // test/fixtures/bm25/make-scifact-top100.ts wrote these with the per-term-arrays implementation.
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/bm25/scifact-top100.json', import.meta.url), 'utf8')) as {
      k: number;
      queries: { id: string; text: string; hits: [string, number][] }[];
    };
    expect(fixture.queries).toHaveLength(30);
    const mismatches: string[] = [];
    for (const q of fixture.queries) {
      const got = index.search(q.text, fixture.k);
      if (got.length !== q.hits.length) mismatches.push(`${q.id}: ${got.length} hits, expected ${q.hits.length}`);
      q.hits.forEach(([id, score], r) => {
        const h = got[r];
        if (h?.id !== id || !Object.is(h.score, score)) mismatches.push(`${q.id} rank ${r + 1}: ${h?.id} ${h?.score}, expected ${id} ${score}`);
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('reaches the BM25 range (Pyserini flat, with stemming: 0.6789 NDCG@10)', async () => {
    const ds = await loadDataset('scifact', scifact, { split: 'test' });
    const built = await Bm25Index.fromStream(ds.corpus.stream());
    const run: Run = new Map(ds.queries.map((q) => [q.id, new Map(built.search(q.text, 10).map((h) => [h.id, h.score]))]));
    const ndcg = evaluate(ds.qrels, run, { metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true, averageOverAllQrels: false }).mean['ndcg_cut.10'];
    // Measured 0.6633 (no stemming, no stopwords); the gap to Pyserini is its Porter stemmer.
    expect(ndcg).toBeGreaterThan(0.65);
    expect(ndcg).toBeLessThan(0.69);
  });
});

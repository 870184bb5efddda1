import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactTopK } from '../../src/backends/exact.js';
import { Prng } from '../../src/eval/prng.js';
import { rankingCompare, type Scored } from '../../src/ranking.js';
import { exactSearch, gemmErrorBound, type BlockProgress, type PassageBlock } from '../../src/search/exact-gemm.js';
import { GemmTopK } from '../../src/search/gemm-top-k.js';
import type { Matrix } from '../../src/types.js';

const uniform = (prng: Prng) => prng.nextUint32() / 2 ** 31 - 1;

/** Scales each row to unit length in place (as the embedding models' outputs are). */
function unitRows(m: Matrix): Matrix {
  for (let r = 0; r < m.rows; r++) {
    const row = m.data.subarray(r * m.dim, (r + 1) * m.dim);
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0)) || 1;
    for (let j = 0; j < m.dim; j++) row[j] /= norm;
  }
  return m;
}

/** Rows uniform in [-1, 1)^dim, then scaled to unit length. */
function normalised(prng: Prng, rows: number, dim: number): Matrix {
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = uniform(prng);
  return unitRows({ data, rows, dim });
}

/** The definition, written out independently of both searches: score every doc, sort all, keep k. */
function bruteForce(queries: Matrix, docs: Matrix, ids: readonly string[], k: number): Scored[][] {
  const dim = queries.dim;
  const out: Scored[][] = [];
  for (let qi = 0; qi < queries.rows; qi++) {
    const all = Array.from({ length: docs.rows }, (_, row) => {
      let score = 0;
      for (let j = 0; j < dim; j++) score += queries.data[qi * dim + j] * docs.data[row * dim + j];
      return { id: ids[row], score, row };
    });
    all.sort((a, b) => rankingCompare(a, b) || a.row - b.row);
    out.push(all.slice(0, k).map(({ id, score }) => ({ id, score })));
  }
  return out;
}

interface Searched {
  hits: Scored[][];
  fullScans: number;
}

type Passages = Matrix | Iterable<PassageBlock> | AsyncIterable<PassageBlock>;

async function search(queries: Matrix, passages: Passages, ids: readonly string[], k: number, blockRows?: number): Promise<Searched> {
  let fullScans = 0;
  const onBlock = (p: BlockProgress) => (fullScans += p.fullScans);
  const hits = await exactSearch({ queries, passages, docIds: ids, k, blockRows, threads: 2, onBlock });
  return { hits, fullScans };
}

/** Both the reference scan and the brute-force definition agree with the GEMM search, bit for bit (toEqual compares numbers with Object.is). */
async function expectExact(queries: Matrix, docs: Matrix, ids: readonly string[], k: number, blockRows?: number): Promise<Searched> {
  const got = await search(queries, docs, ids, k, blockRows);
  const reference = exactTopK(queries, docs, ids, k);
  expect(got.hits).toEqual(reference);
  expect(reference).toEqual(bruteForce(queries, docs, ids, k));
  return got;
}

const ids = (n: number, prefix = 'doc') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('exactSearch (GEMM preselection + exact rescoring)', () => {
  it('matches the scalar reference on random normalised vectors, any dim, k and block size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
          dim: fc.constantFrom(1, 2, 3, 8, 33, 384),
          docs: fc.integer({ min: 1, max: 300 }),
          queries: fc.integer({ min: 1, max: 6 }),
          k: fc.integer({ min: 1, max: 320 }), // also beyond the corpus
          blockRows: fc.integer({ min: 1, max: 320 }),
        }),
        async ({ seed, dim, docs, queries, k, blockRows }) => {
          const prng = new Prng(seed);
          await expectExact(normalised(prng, queries, dim), normalised(prng, docs, dim), ids(docs), k, blockRows);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('matches on a corpus larger than several default-sized blocks', async () => {
    const prng = new Prng(7);
    const docs = normalised(prng, 5000, 384);
    const queries = normalised(prng, 40, 384);
    for (const k of [1, 10, 100]) await expectExact(queries, docs, ids(5000), k, 1024);
  });

  it('matches on embedding-like vectors (one shared direction, clusters, small spread of scores)', async () => {
    // Real sentence embeddings sit in a narrow cone (pairwise cosines 0.7 to 0.9), so many scores crowd
    // near the k-th one; the synthetic cone here is tighter still.
    const prng = new Prng(11);
    const dim = 384;
    const centres = normalised(prng, 8, dim);
    const cone = (rows: number): Matrix => {
      const m = normalised(prng, rows, dim);
      for (let r = 0; r < rows; r++) {
        const c = prng.nextInt(centres.rows);
        for (let j = 0; j < dim; j++) m.data[r * dim + j] = 3 + 0.3 * centres.data[c * dim + j] + 0.05 * m.data[r * dim + j] * Math.sqrt(dim);
      }
      return unitRows(m);
    };
    await expectExact(cone(30), cone(3000), ids(3000), 10, 500);
    await expectExact(cone(10), cone(3000), ids(3000), 200, 700);
  });

  it('resolves exact ties at the k-th score by doc id in UTF-8 order, across blocks', async () => {
    // 300 docs built from 4 distinct vectors: every score is shared by ~75 docs, far more than the
    // candidates a GEMM call hands back, so ties straddle the k-th place in every block. Ids mix BMP
    // chars above the surrogates (U+FF21) with astral ones (U+1F600), where UTF-16 order is wrong.
    const prng = new Prng(3);
    const distinct = normalised(prng, 4, 16);
    const rows = 300;
    const docs: Matrix = { data: new Float32Array(rows * 16), rows, dim: 16 };
    for (let r = 0; r < rows; r++) docs.data.set(distinct.data.subarray((r % 4) * 16, (r % 4 + 1) * 16), r * 16);
    const marks = ['\uFF21', '\u{1F600}', 'z', '\u00E9', '\u{10FFFF}', '\uE000'];
    const docIds = Array.from({ length: rows }, (_, i) => `${marks[prng.nextInt(marks.length)]}${marks[prng.nextInt(marks.length)]}${i}`);
    const queries = normalised(prng, 5, 16);
    let fullScans = 0;
    for (const k of [1, 5, 37, 80, 150]) {
      for (const blockRows of [64, 100, 300]) fullScans += (await expectExact(queries, docs, docIds, k, blockRows)).fullScans;
    }
    // The whole-block rescoring path really ran (and was needed for the ties).
    expect(fullScans).toBeGreaterThan(0);
  });

  it('resolves near-ties within one float32 ulp, where the float32 GEMM and the float64 reference disagree', async () => {
    // Every doc's reference score lies within a few float32 ulps of 0.75, with sub-ulp detail in the small
    // components, so float32 sums (in whatever order the GEMM takes) round differently from the float64 ones.
    const prng = new Prng(5);
    const dim = 4;
    const rows = 400;
    const docs: Matrix = { data: new Float32Array(rows * dim), rows, dim };
    for (let r = 0; r < rows; r++) {
      const small = [1, 2, 3].map(() => Math.fround(uniform(prng) * 2 ** -22));
      const head = Math.fround(0.75 + (prng.nextInt(9) - 4) * 2 ** -25 - small[0] - small[1] - small[2]);
      docs.data.set([head, ...small], r * dim);
    }
    const queries: Matrix = { data: Float32Array.from([1, 1, 1, 1, 1, 0.5, 1, 1, 1, 1, 1, 1.000001]), rows: 3, dim };
    const docIds = ids(rows, '\u{1F600}');

    const gemm = await GemmTopK.create(queries, 2);
    const all = await gemm.run(docs, rows);
    await gemm.release();
    const reference = exactTopK(queries, docs, docIds, rows).flat();
    const byId = new Map(reference.map((h, i) => [`${Math.floor(i / rows)}/${h.id}`, h.score]));
    let disagreements = 0;
    for (let i = 0; i < all.scores.length; i++) {
      const qi = Math.floor(i / all.k);
      const e = byId.get(`${qi}/${docIds[Number(all.rows[i])]}`)!;
      if (all.scores[i] !== Math.fround(e)) disagreements++;
    }
    expect(disagreements).toBeGreaterThan(0);

    for (const k of [1, 10, 50, 200]) for (const blockRows of [50, 400]) await expectExact(queries, docs, docIds, k, blockRows);
  });

  it('takes passages as blocks of any size, from an async or a plain iterable', async () => {
    const prng = new Prng(9);
    const docs = normalised(prng, 1000, 32);
    const queries = normalised(prng, 7, 32);
    const docIds = ids(1000);
    const sizes = [0, 1, 333, 17, 0, 400, 249]; // sums to 1000; some above blockRows, so cut to fit
    const blocks = (): PassageBlock[] => {
      let offset = 0;
      return sizes.map((rows) => {
        const matrix = { data: docs.data.slice(offset * 32, (offset + rows) * 32), rows, dim: 32 };
        const block = { offset, matrix };
        offset += rows;
        return block;
      });
    };
    async function* stream(): AsyncIterable<PassageBlock> {
      for (const b of blocks()) yield await Promise.resolve(b);
    }
    const expected = exactTopK(queries, docs, docIds, 10);
    expect((await search(queries, stream(), docIds, 10, 128)).hits).toEqual(expected);
    expect((await search(queries, blocks(), docIds, 10, 128)).hits).toEqual(expected);
    expect((await search(queries, blocks(), docIds, 10)).hits).toEqual(expected);
  });

  it('reports progress per GEMM block', async () => {
    const prng = new Prng(1);
    const seen: BlockProgress[] = [];
    const [queries, passages] = [normalised(prng, 3, 8), normalised(prng, 250, 8)];
    await exactSearch({ queries, passages, docIds: ids(250), k: 5, blockRows: 100, onBlock: (p) => seen.push(p) });
    expect(seen.map((p) => [p.rowsDone, p.rows])).toEqual([[100, 100], [200, 100], [250, 50]]);
    expect(seen[0].rescored).toBeGreaterThanOrEqual(3 * 5);
  });

  it('handles no queries and an empty corpus', async () => {
    const prng = new Prng(2);
    const empty: Matrix = { data: new Float32Array(0), rows: 0, dim: 8 };
    expect(await exactSearch({ queries: empty, passages: normalised(prng, 4, 8), docIds: ids(4), k: 3 })).toEqual([]);
    expect(await exactSearch({ queries: normalised(prng, 2, 8), passages: empty, docIds: [], k: 3 })).toEqual([[], []]);
  });

  it('refuses inputs it cannot search exactly, naming the problem', async () => {
    const prng = new Prng(4);
    const queries = normalised(prng, 2, 8);
    const docs = normalised(prng, 10, 8);
    const run = (over: Partial<Parameters<typeof exactSearch>[0]>) => exactSearch({ queries, passages: docs, docIds: ids(10), k: 3, ...over });
    await expect(run({ k: 0 })).rejects.toThrow(/k must be a positive integer/);
    await expect(run({ docIds: ids(9) })).rejects.toThrow(/9 doc ids/);
    await expect(run({ docIds: ids(11) })).rejects.toThrow(/11 doc ids for 10 vectors/);
    await expect(run({ passages: normalised(prng, 10, 4) })).rejects.toThrow(/dimension/);
    await expect(run({ passages: [{ offset: 1, matrix: docs }] })).rejects.toThrow(/starts at row 1, expected 0/);
    await expect(run({ blockRows: 0 })).rejects.toThrow(/block rows/);
    const nanDocs = { ...docs, data: docs.data.slice() };
    nanDocs.data[5 * 8 + 3] = NaN;
    await expect(run({ passages: nanDocs, blockRows: 4 })).rejects.toThrow(/passage rows 4\.\.7 hold a non-finite value/);
    const infQuery = { ...queries, data: queries.data.slice() };
    infQuery.data[8] = Infinity;
    await expect(run({ queries: infQuery })).rejects.toThrow(/query row 1 holds a non-finite value/);
  });
});

describe('gemmErrorBound', () => {
  it('bounds the gap between the float32 GEMM score and the float64 reference score', async () => {
    const prng = new Prng(8);
    for (const dim of [3, 384, 1024]) {
      const queries = normalised(prng, 4, dim);
      const docs = normalised(prng, 500, dim);
      // Scale a few rows so the bound is exercised away from unit norm.
      for (let j = 0; j < dim; j++) docs.data[j] *= 1000;
      const gemm = await GemmTopK.create(queries, 2);
      const all = await gemm.run(docs, docs.rows);
      await gemm.release();
      for (let qi = 0; qi < queries.rows; qi++) {
        const q = queries.data.subarray(qi * dim, (qi + 1) * dim);
        const qNorm = Math.sqrt(q.reduce((s, v) => s + v * v, 0));
        const bound = gemmErrorBound(qNorm, all.maxNormSq, dim);
        let worstGap = 0;
        for (let j = 0; j < all.k; j++) {
          const row = Number(all.rows[qi * all.k + j]);
          let e = 0;
          for (let i = 0; i < dim; i++) e += q[i] * docs.data[row * dim + i];
          worstGap = Math.max(worstGap, Math.abs(all.scores[qi * all.k + j] - e));
        }
        expect(worstGap).toBeLessThanOrEqual(bound);
        // ... and tight enough to be useful: a few float32 ulps of the largest possible |score|.
        expect(bound / (qNorm * Math.sqrt(all.maxNormSq))).toBeLessThan(dim * 2 ** -22);
      }
    }
  });

  it('gives up (Infinity: every doc becomes a candidate) where float32 could overflow', () => {
    expect(gemmErrorBound(1e19, 1e37, 384)).toBe(Infinity);
    expect(gemmErrorBound(1e20, 1e36, 384)).toBe(Infinity);
    expect(gemmErrorBound(1, 1, 2 ** 21)).toBe(Infinity);
    expect(gemmErrorBound(1, 1, 384)).toBeLessThan(1e-4);
  });
});

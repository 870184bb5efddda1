import { describe, expect, it } from 'vitest';
import { comparePaired, holmAdjust, quantile, type MetricComparison } from '../../src/eval/compare.js';
import { evaluate, type EvalResult } from '../../src/eval/evaluate.js';
import { Prng } from '../../src/eval/prng.js';
import type { Qrels } from '../../src/types.js';

/** An EvalResult with given per-query values of one metric (only the fields comparePaired reads matter). */
function result(values: number[], metric = 'ndcg_cut.10'): EvalResult {
  const perQuery = new Map(values.map((v, i) => [`q${i}`, { [metric]: v }]));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { metrics: [metric], perQuery, mean: { [metric]: mean }, queriesScored: values.length, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0 };
}

const oneRelevantEach = (n: number): Qrels => new Map(Array.from({ length: n }, (_, i) => [`q${i}`, new Map([['d', 1]])]));

describe('Prng (mulberry32)', () => {
  it('is reproducible and matches the reference sequence for seed 1', () => {
    const a = new Prng(1);
    // Reference: the published one-liner mulberry32(1) returns 0.6270739405881613 first, i.e. 2693262067 / 2^32.
    expect([a.nextUint32(), a.nextUint32(), a.nextUint32()]).toEqual([2693262067, 11749833, 2265367787]);
    expect(new Prng(1).nextUint32() / 2 ** 32).toBe(0.6270739405881613);
  });
});

describe('comparePaired', () => {
  const values = Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 100);

  it('two identical runs: diff 0, p = 1, CI contains 0 (it is [0, 0]), all ties', () => {
    const [c] = comparePaired(result(values), result(values), oneRelevantEach(200));
    expect(c.meanDiff).toBe(0);
    expect(c.pValue).toBe(1); // every sign flip ties the observed |sum| = 0: (10000 + 1) / (10000 + 1)
    expect(c.ci95).toEqual([0, 0]);
    expect([c.wins, c.ties, c.losses]).toEqual([0, 200, 0]);
    expect(c.relativeChange).toBe(0);
  });

  it('a clearly better run: p at its floor 1/(P+1), CI excludes 0', () => {
    const better = values.map((v, i) => Math.min(1, v + (i % 4 === 0 ? 0 : 0.2)));
    const [c] = comparePaired(result(values), result(better), oneRelevantEach(200));
    expect(c.pValue).toBe(1 / 10001);
    expect(c.ci95[0]).toBeGreaterThan(0);
    expect(c.wins).toBeGreaterThan(100);
    expect(c.losses).toBe(0);
  });

  it('a run against its reverse on real rankings: p tiny', () => {
    // 100 queries, one relevant doc each, at rank 1 in run A and last (rank 20) in the reversed run B.
    const qrels: Qrels = oneRelevantEach(100);
    const forward = new Map(Array.from({ length: 100 }, (_, i) => [`q${i}`, new Map([['d', 20], ...Array.from({ length: 19 }, (_, j) => [`x${j}`, 19 - j] as [string, number])])]));
    const reverse = new Map([...forward].map(([q, docs]) => [q, new Map([...docs].map(([d, s]) => [d, -s]))]));
    const opts = { metrics: ['ndcg_cut.10', 'recip_rank.10'], ignoreIdenticalIds: true, averageOverAllQrels: false };
    const cs = comparePaired(evaluate(qrels, reverse, opts), evaluate(qrels, forward, opts), qrels);
    for (const c of cs) {
      expect(c.meanDiff).toBe(1); // 1 - 0 on every query
      expect(c.pValue).toBeLessThan(0.001);
      expect(c.ci95).toEqual([1, 1]);
    }
  });

  it('the same seed reproduces p and CI exactly; another seed differs', () => {
    const noisy = values.map((v, i) => (i % 3 === 0 ? v * 0.9 : Math.min(1, v * 1.05)));
    const a = comparePaired(result(values), result(noisy), oneRelevantEach(200), { seed: 42 });
    const b = comparePaired(result(values), result(noisy), oneRelevantEach(200), { seed: 42 });
    const c = comparePaired(result(values), result(noisy), oneRelevantEach(200), { seed: 43 });
    expect(a).toEqual(b);
    expect(c[0].ci95).not.toEqual(a[0].ci95);
  });

  it('p matches the exact sign-flip distribution on a tiny case', () => {
    // diffs +0.1, +0.2, +0.3: of the 8 sign patterns, |sum| >= 0.6 only for +++ and ---: exact p = 2/8 = 0.25.
    // With 20000 random flips the estimate is within ~3 standard errors (sqrt(.25*.75/20000) = 0.003).
    const [c] = comparePaired(result([0, 0, 0]), result([0.1, 0.2, 0.3]), oneRelevantEach(3), { permutations: 20000, bootstrapSamples: 100 });
    expect(Math.abs(c.pValue - 0.25)).toBeLessThan(0.01);
  });

  it('flags a small query set and a capped Recall@k / MAP@k, not NDCG@k', () => {
    // 50 queries with R = 494 (TREC-COVID-like): best possible Recall@10 = 10/494 = 0.0202 per query.
    const qrels: Qrels = new Map(Array.from({ length: 50 }, (_, i) => [`q${i}`, new Map(Array.from({ length: 494 }, (_, j) => [`d${j}`, 1]))]));
    const mk = (v: number) => {
      const perQuery = new Map(Array.from({ length: 50 }, (_, i) => [`q${i}`, { 'recall.10': v, 'ndcg_cut.10': v }]));
      return { metrics: ['recall.10', 'ndcg_cut.10'], perQuery, mean: { 'recall.10': v, 'ndcg_cut.10': v }, queriesScored: 50, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0 };
    };
    const [recall, ndcg] = comparePaired(mk(0.008), mk(0.018), qrels, { permutations: 100, bootstrapSamples: 100 });
    expect(recall.flags).toContain('small query set (n=50)');
    expect(recall.flags).toContain('Recall@10 capped: median R=494 > k=10 (best possible mean 0.020)');
    expect(ndcg.flags.some((f) => f.includes('capped'))).toBe(false);
  });

  it('flags P@k capped by R/k when most queries have fewer than k relevant docs', () => {
    // R = 1, 1, 3 -> median 1 < 10; best P@10 per query 0.1, 0.1, 0.3 -> mean 0.5/3 = 0.167.
    const qrels: Qrels = new Map([
      ['q0', new Map([['a', 1]])],
      ['q1', new Map([['a', 1]])],
      ['q2', new Map([['a', 1], ['b', 1], ['c', 1]])],
    ]);
    const [c] = comparePaired(result([0.1, 0, 0.2], 'P.10'), result([0.1, 0.1, 0.3], 'P.10'), qrels, { permutations: 10, bootstrapSamples: 10 });
    expect(c.flags).toContain('P@10 capped: median R=1 < k=10 (best possible mean 0.167)');
  });

  it('pairs only the queries both results scored', () => {
    const a = result([0.5, 0.5, 0.5]);
    const b = result([1, 1]);
    const [c] = comparePaired(a, b, oneRelevantEach(3), { permutations: 10, bootstrapSamples: 10 });
    expect(c.n).toBe(2);
    expect(c.meanA).toBe(0.5);
  });
});

describe('holmAdjust', () => {
  it('step-down: sorted p (0.01, 0.02, 0.04, 0.5) x (4, 3, 2, 1), made monotone, capped at 1', () => {
    const cs = [0.04, 0.01, 0.5, 0.02].map((pValue) => ({ pValue }) as MetricComparison);
    holmAdjust(cs);
    // 0.01*4 = 0.04; 0.02*3 = 0.06; 0.04*2 = 0.08; 0.5*1 = 0.5 (each at least the previous).
    expect(cs.map((c) => c.pHolm)).toEqual([0.08, 0.04, 0.5, 0.06]);
  });

  it('keeps monotonicity when a later raw p times its factor is smaller', () => {
    const cs = [0.03, 0.031].map((pValue) => ({ pValue }) as MetricComparison);
    holmAdjust(cs);
    // 0.03*2 = 0.06; 0.031*1 = 0.031 -> raised to 0.06.
    expect(cs.map((c) => c.pHolm)).toEqual([0.06, 0.06]);
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    // positions (n - 1) p: 0.025 * 4 = 0.1 -> 1 + 0.1 * (2 - 1) = 1.1; 0.5 * 4 = 2 -> 3.
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 15);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });
});

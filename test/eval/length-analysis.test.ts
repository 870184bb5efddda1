import { describe, expect, it } from 'vitest';
import { averageRanks, gainByQueryLength, spearman } from '../../src/eval/length-analysis.js';

const q = (id: string, words: number) => ({ id, text: Array.from({ length: words }, (_, i) => `w${i}`).join(' ') });

describe('gainByQueryLength', () => {
  it('buckets by quartiles of query length and averages the gain per bucket', () => {
    // Lengths 1..8, gain = 9 - length (short queries gain most). Nearest-rank cuts of n = 8:
    // 25th: sorted[ceil(2) - 1] = 2, 50th: sorted[3] = 4, 75th: sorted[5] = 6 -> buckets 1-2, 3-4, 5-6, 7-8.
    const queries = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => q(`q${n}`, n));
    const gains = new Map(queries.map((x, i) => [x.id, 9 - (i + 1)]));
    const r = gainByQueryLength(queries, gains);
    expect(r.buckets.map((b) => [b.label, b.n, b.meanGain])).toEqual([
      ['1-2 words', 2, 7.5], // (8 + 7) / 2
      ['3-4 words', 2, 5.5],
      ['5-6 words', 2, 3.5],
      ['7-8 words', 2, 1.5],
    ]);
    expect(r.spearman).toBe(-1); // gain strictly decreasing in length
    expect(r.n).toBe(8);
  });

  it('tied lengths merge quartiles instead of splitting equal lengths; queries without a gain are ignored', () => {
    // Lengths 2,2,2,2,2,3,9 (+ one query with no gain): cuts 25th sorted[1] = 2, 50th sorted[3] = 2, 75th sorted[5] = 3.
    const queries = [2, 2, 2, 2, 2, 3, 9].map((n, i) => q(`q${i}`, n)).concat([q('nogain', 40)]);
    const gains = new Map(queries.slice(0, 7).map((x, i) => [x.id, i]));
    const r = gainByQueryLength(queries, gains);
    expect(r.buckets.map((b) => [b.label, b.n, b.meanGain])).toEqual([
      ['2 words', 5, 2], // gains 0..4 -> 10 / 5
      ['3 words', 1, 5],
      ['9 words', 1, 6],
    ]);
    expect(r.n).toBe(7);
  });

  it('no queries with gains: empty analysis, spearman null', () => {
    expect(gainByQueryLength([q('a', 3)], new Map())).toEqual({ buckets: [], spearman: null, n: 0 });
  });
});

describe('spearman', () => {
  it('uses average ranks for ties', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    // x ranks [1, 2.5, 2.5, 4], y ranks [1, 2, 3, 4]: centred x (-1.5, 0, 0, 1.5), y (-1.5, -.5, .5, 1.5):
    // sxy = 2.25 + 2.25 = 4.5; sxx = 4.5; syy = 5 -> rho = 4.5 / sqrt(22.5) = 0.948683.
    expect(spearman([10, 20, 20, 30], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 15);
  });

  it('is null for fewer than 3 points or constant input', () => {
    expect(spearman([1, 2], [1, 2])).toBeNull();
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

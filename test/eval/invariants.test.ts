import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/evaluate.js';
import { checkInvariants, checkMeanInvariants } from '../../src/eval/invariants.js';
import { nested } from '../helpers/inputs.js';

const M = ['ndcg_cut.10', 'map_cut.10', 'recall.10'];

function fake(perQuery: Record<string, [number, number, number]>): EvalResult {
  const pq = new Map(Object.entries(perQuery).map(([q, [n, m, r]]) => [q, { 'ndcg_cut.10': n, 'map_cut.10': m, 'recall.10': r }]));
  const mean = Object.fromEntries(M.map((m, i) => [m, Object.values(perQuery).reduce((s, v) => s + v[i], 0) / pq.size]));
  return { metrics: M, perQuery: pq, mean, queriesScored: pq.size, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0 };
}

describe('checkInvariants', () => {
  it('accepts consistent values: one relevant doc at rank 3 gives NDCG 1/log2(4) = 0.5, MAP 1/3, Recall 1', () => {
    expect(checkInvariants(nested({ q: { a: 1 } }), fake({ q: [0.5, 1 / 3, 1] }), 10)).toEqual([]);
  });

  it('flags values outside [0, 1] and NaN', () => {
    const v = checkInvariants(nested({ q: { a: 1, b: 1 } }), fake({ q: [1.2, 0, NaN] }), 10);
    expect(v.map((x) => [x.rule, x.detail])).toEqual([
      ['value in [0, 1]', 'NDCG@10=1.2'],
      ['value in [0, 1]', 'Recall@10=NaN'],
    ]);
  });

  it('flags MAP@k > Recall@k', () => {
    const v = checkInvariants(nested({ q: { a: 1, b: 1 } }), fake({ q: [0.9, 0.6, 0.5] }), 10);
    expect(v).toEqual([{ queryId: 'q', rule: 'MAP@k <= Recall@k', detail: 'MAP@10=0.6 > Recall@10=0.5' }]);
  });

  it('flags Recall@k > k/R', () => {
    // R = 20 relevant docs: at most 10 of them fit in the top 10, Recall@10 <= 10/20 = 0.5.
    const judged: Record<string, number> = {};
    for (let i = 0; i < 20; i++) judged[`d${i}`] = 1;
    const v = checkInvariants(nested({ q: judged }), fake({ q: [0.6, 0.5, 0.6] }), 10);
    expect(v).toEqual([{ queryId: 'q', rule: 'Recall@k <= k/R', detail: 'Recall@10=0.6 > 10/20' }]);
  });

  it('flags NDCG@k < MAP@k for a single-relevant query', () => {
    const v = checkInvariants(nested({ q: { a: 1, b: 0 } }), fake({ q: [0.4, 0.5, 1] }), 10);
    expect(v[0]).toEqual({ queryId: 'q', rule: 'NDCG@k >= MAP@k when R = 1', detail: 'NDCG@10=0.4 < MAP@10=0.5' });
    // The mean of this one-query dataset breaks the single-relevant bounds too.
    expect(v.map((x) => x.queryId)).toEqual(['q', 'all']);
  });

  it('flags the seed article ArguAna pattern on the means: NDCG = MAP but != Recall, one relevant doc each', () => {
    // (The article: 0.224, 0.224, 0.699.) Means here: NDCG (0.25 + 0.25) / 2 = 0.25 = MAP, Recall (0.5 + 1) / 2 = 0.75.
    const result = fake({ q1: [0.25, 0.25, 0.5], q2: [0.25, 0.25, 1] });
    const v = checkInvariants(nested({ q1: { a: 1 }, q2: { b: 1 } }), result, 10);
    expect(v.map((x) => x.queryId)).toEqual(['all']);
    expect(v[0].detail).toBe('NDCG@10=0.25, MAP@10=0.25, Recall@10=0.75: NDCG - MAP = 0.0000, allowed [0.1050, 0.1309]');
  });

  it('bounds the means of single-relevant datasets: every rank from 1 to 10 passes, a NDCG too close to MAP or too far from it fails', () => {
    const at = (r: number): [number, number, number] => [1 / Math.log2(r + 1), 1 / r, 1];
    const qrels = nested(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`q${i}`, { [`d${i}`]: 1 }])));
    const ranks = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i}`, at(i + 1)]));
    expect(checkInvariants(qrels, fake({ ...ranks, q10: [0, 0, 0] }), 10)).toEqual([]);
    // Every hit at rank 2 sits on the upper bound, at rank 10 on the lower one.
    expect(checkMeanInvariants({ 'ndcg_cut.10': at(2)[0], 'map_cut.10': 0.5, 'recall.10': 1 }, 10, true)).toEqual([]);
    expect(checkMeanInvariants({ 'ndcg_cut.10': at(10)[0], 'map_cut.10': 0.1, 'recall.10': 1 }, 10, true)).toEqual([]);
    expect(checkMeanInvariants({ 'ndcg_cut.10': at(2)[0] + 0.01, 'map_cut.10': 0.5, 'recall.10': 1 }, 10, true)).toHaveLength(1);
    expect(checkMeanInvariants({ 'ndcg_cut.10': at(10)[0] - 0.01, 'map_cut.10': 0.1, 'recall.10': 1 }, 10, true)).toHaveLength(1);
    // Not single-relevant: no bound applies.
    expect(checkMeanInvariants({ 'ndcg_cut.10': 0.3, 'map_cut.10': 0.3, 'recall.10': 0.7 }, 10, false)).toEqual([]);
  });

  it('flags the article ArguAna rows on the printed means even with the rounding of three decimals, and passes its other rows', () => {
    const row = (n: number, m: number, r: number) => ({ 'ndcg_cut.10': n, 'map_cut.10': m, 'recall.10': r });
    for (const [n, m, r] of [[0.224, 0.224, 0.699], [0.22, 0.22, 0.666]]) {
      const v = checkMeanInvariants(row(n, m, r), 10, true, 0.0005);
      expect(v.map((x) => x.rule)).toEqual([expect.stringMatching(/^one relevant doc per query/)]);
    }
    // SciFact's rows are not single-relevant (some claims have several supporting abstracts): only range and MAP <= Recall apply.
    expect(checkMeanInvariants(row(0.629, 0.625, 0.777), 10, false, 0.0005)).toEqual([]);
    // A value that only breaks MAP <= Recall by its rounding passes.
    expect(checkMeanInvariants(row(0.5, 0.4005, 0.4), 10, false, 0.0005)).toEqual([]);
    expect(checkMeanInvariants(row(0.5, 0.402, 0.4), 10, false, 0.0005)).toHaveLength(1);
  });

  it('does not flag half the queries hit at rank 1 and half missed (NDCG = MAP = Recall = 0.5)', () => {
    expect(checkInvariants(nested({ q1: { a: 1 }, q2: { b: 1 } }), fake({ q1: [1, 1, 1], q2: [0, 0, 0] }), 10)).toEqual([]);
  });
});

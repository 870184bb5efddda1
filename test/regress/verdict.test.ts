import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/evaluate.js';
import type { MetricName } from '../../src/eval/metrics.js';
import { runDifferences } from '../../src/regress/run-difference.js';
import { judgeMetric, MIN_EQUIVALENCE_QUERIES, worstVerdict, type RunDifference } from '../../src/regress/verdict.js';
import { isDeterministic } from '../../src/systems/system-engines.js';
import { parseMatrix } from '../../src/regress/matrix.js';

const NDCG: MetricName = 'ndcg_cut.10';

/** An EvalResult holding NDCG@10 per query. */
function evalOf(scores: Record<string, number>): EvalResult {
  const perQuery = new Map(Object.entries(scores).map(([q, v]) => [q, { [NDCG]: v } as Record<MetricName, number>]));
  const values = Object.values(scores);
  return {
    metrics: [NDCG],
    perQuery,
    mean: { [NDCG]: values.reduce((a, b) => a + b, 0) / values.length } as Record<MetricName, number>,
    queriesScored: values.length,
    qrelsQueriesMissingFromRun: 0,
  } as EvalResult;
}

const queries = (n: number, value: (i: number) => number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`q${String(i).padStart(3, '0')}`, value(i)]));
const differenceOf = (a: Record<string, number>, b: Record<string, number>, bootstrap = true) =>
  runDifferences(evalOf(a), evalOf(b), [NDCG], bootstrap ? { samples: 2000, seed: 42 } : null)[NDCG];

const judge = (kind: 'deterministic' | 'approximate', d: RunDifference, opts: { margin?: number; inputChanged?: boolean } = {}) =>
  judgeMetric({ metric: NDCG, expected: 0.5, got: 0.5, kind, margin: opts.margin ?? 0.01, difference: d, inputChanged: opts.inputChanged ?? false });

describe('run difference', () => {
  it('counts changed queries beyond float tolerance, names the largest, pairs queries in id order', () => {
    const a = { b: 0.5, a: 0.25, c: 1, d: 0.1 };
    const b = { a: 0.25 + 1e-12, b: 0.1, c: 0.75, e: 0.3 };
    const d = differenceOf(a, b, false);
    expect(d).toMatchObject({ queries: 5, changed: 4, ci95: null });
    expect(d.largest).toEqual([
      { query: 'b', baseline: 0.5, tonight: 0.1 },
      { query: 'e', baseline: null, tonight: 0.3 },
      { query: 'c', baseline: 1, tonight: 0.75 },
    ]);
    expect(differenceOf(a, { ...a }, true)).toEqual({ queries: 4, changed: 0, largest: [], ci95: null });
  });

  it('the bootstrap interval does not depend on the order the queries come in', () => {
    const a = queries(100, (i) => (i % 7) / 7);
    const b = queries(100, (i) => (i % 7) / 7 + (i % 10 === 0 ? 0.05 : 0));
    const reversed = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).reverse());
    expect(differenceOf(reversed(a), reversed(b)).ci95).toEqual(differenceOf(a, b).ci95);
  });
});

describe('verdicts', () => {
  const same = differenceOf(queries(50, () => 0.5), queries(50, () => 0.5));
  const oneQuery = differenceOf(queries(50, () => 0.5), queries(50, (i) => (i === 3 ? 0.5 + 1e-6 : 0.5)));

  it('deterministic: OK only when the run is reproduced; any changed query is a FAIL naming the count', () => {
    expect(judge('deterministic', same)).toMatchObject({ verdict: 'OK', reason: '', margin: 0 });
    const fail = judge('deterministic', oneQuery);
    expect(fail.verdict).toBe('FAIL');
    expect(fail.reason).toBe('1 of 50 queries changed: a deterministic condition must reproduce its stored baseline run');
    expect(fail.largest).toEqual([{ query: 'q003', baseline: 0.5, tonight: 0.5 + 1e-6 }]);
  });

  it('approximate: OK when reproduced, OK* only when the 95% interval lies within the margin', () => {
    expect(judge('approximate', same).verdict).toBe('OK');
    const small = judge('approximate', oneQuery);
    expect(small.verdict).toBe('OK*');
    expect(small.reason).toMatch(/^1 of 50 queries changed; 95% CI of the mean change \[\+0\.0000, \+0\.0000\] within ±0\.01$/);
    // Ten queries of 50 drop by 0.3: a mean change of -0.06, far outside ±0.01.
    const big = differenceOf(queries(50, () => 0.8), queries(50, (i) => (i % 5 === 0 ? 0.5 : 0.8)));
    const fail = judge('approximate', big);
    expect(fail.verdict).toBe('FAIL');
    expect(fail.reason).toMatch(/^10 of 50 queries changed; 95% CI of the mean change \[-0\.\d{4}, -0\.\d{4}\] not within ±0\.01: the change is not shown to be small$/);
    // The same change passes a margin that holds its whole interval.
    expect(judge('approximate', big, { margin: 0.2 }).verdict).toBe('OK*');
  });

  it('approximate with too few queries: any change fails, never OK*', () => {
    const n = MIN_EQUIVALENCE_QUERIES - 1;
    const tiny = differenceOf(queries(n, () => 0.5), queries(n, (i) => (i === 0 ? 0.5001 : 0.5)));
    const v = judge('approximate', tiny, { margin: 0.5 });
    expect(v.verdict).toBe('FAIL');
    expect(v.reason).toBe(`1 of ${n} queries changed: too few queries to show the change is within ±0.5 (an equivalence test needs ${MIN_EQUIVALENCE_QUERIES})`);
  });

  it('a changed input overrides everything', () => {
    expect(judge('deterministic', same, { inputChanged: true }).verdict).toBe('CHANGED-INPUT');
    expect(judge('approximate', oneQuery, { inputChanged: true }).verdict).toBe('CHANGED-INPUT');
  });

  it('a condition takes its worst verdict', () => {
    expect(worstVerdict(['OK', 'OK'])).toBe('OK');
    expect(worstVerdict(['OK', 'OK*'])).toBe('OK*');
    expect(worstVerdict(['OK*', 'FAIL', 'OK'])).toBe('FAIL');
    expect(worstVerdict(['FAIL', 'CHANGED-INPUT'])).toBe('CHANGED-INPUT');
  });
});

describe('which systems are deterministic (one table, src/systems/system.ts)', () => {
  it('exact search, both BM25 engines and in-process fusion of them are; HNSW, server-side embedding, remote vectors are not', () => {
    const m = parseMatrix(
      [
        'systems:',
        '  - { id: exact, model: intfloat/e5-small-v2, prefix: asymmetric, engine: exact }',
        '  - { id: knn, model: intfloat/e5-small-v2, prefix: asymmetric, engine: opensearch-knn }',
        '  - { id: ml, model: intfloat/e5-small-v2, prefix: asymmetric, engine: opensearch-ml }',
        '  - { id: bm25, engine: bm25 }',
        '  - { id: osbm25, engine: opensearch-bm25 }',
        '  - { id: rrf, fusion: rrf, components: [bm25, exact] }',
        '  - { id: rrf-knn, fusion: rrf, components: [bm25, knn] }',
        '  - { id: os-hybrid, fusion: rrf, components: [osbm25, knn], engine: opensearch-hybrid }',
        '  - { id: remote, model: intfloat/e5-small-v2, prefix: asymmetric, engine: exact, encoder: { kind: remote, urls: [http://127.0.0.1:1/v1] } }',
        'datasets:',
        '  - dataset: scifact',
      ].join('\n'),
      '/m.yaml',
    );
    const kinds = Object.fromEntries(m.systems.map((s) => [s.id, isDeterministic(s)]));
    expect(kinds).toEqual({ exact: true, knn: false, ml: false, bm25: true, osbm25: true, rrf: true, 'rrf-knn': false, 'os-hybrid': false, remote: false });
  });
});

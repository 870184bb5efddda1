import type { Qrels } from '../types.js';
import type { EvalResult } from './evaluate.js';
import { judgmentsOf } from './measures.js';
import { displayName, metricName, type MetricName } from './metrics.js';

/** A broken sanity invariant (docs/METRICS.md): it means a bug upstream, never a property of the data. */
export interface InvariantViolation {
  /** The query, or 'all' for a rule on the means. */
  queryId: string;
  rule: string;
  detail: string;
}

/** Slack for comparing values computed along different floating-point paths. */
const EPS = 1e-12;

/**
 * Check the sanity invariants of docs/METRICS.md on every averaged query, for the measures at cutoff k
 * that the result holds: every value in [0, 1]; MAP@k <= Recall@k <= k/R; NDCG@k >= MAP@k when R = 1.
 * On the means of a dataset where every query has one relevant doc: a hit at rank r adds 1/r to MAP@k,
 * 1/log2(r + 1) to NDCG@k and 1 to Recall@k, so mean NDCG@k = mean MAP@k only when every hit is at
 * rank 1, and then both equal mean Recall@k (the seed article's ArguAna row: 0.224, 0.224, 0.699).
 * The looser "NDCG = MAP while Recall@k < 1" would also flag a run that misses some queries entirely and
 * hits the rest at rank 1, which is legitimate; so the rule checked is the exact one.
 */
export function checkInvariants(qrels: Qrels, result: EvalResult, k: number): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const has = (m: MetricName) => result.metrics.includes(m);
  const ndcg = metricName('ndcg_cut', k);
  const map = metricName('map_cut', k);
  const recall = metricName('recall', k);
  const fmt = (m: MetricName, v: number) => `${displayName(m)}=${v}`;
  let allSingleRelevant = true;
  for (const [queryId, values] of result.perQuery) {
    const add = (rule: string, detail: string) => out.push({ queryId, rule, detail });
    for (const m of result.metrics) {
      const v = values[m];
      if (!(v >= 0 && v <= 1)) add('value in [0, 1]', fmt(m, v));
    }
    const R = judgmentsOf(qrels.get(queryId)).numRelevant;
    if (R !== 1) allSingleRelevant = false;
    if (has(map) && has(recall) && values[map] > values[recall] + EPS) {
      add('MAP@k <= Recall@k', `${fmt(map, values[map])} > ${fmt(recall, values[recall])}`);
    }
    if (has(recall) && R > 0 && values[recall] > k / R + EPS) {
      add('Recall@k <= k/R', `${fmt(recall, values[recall])} > ${k}/${R}`);
    }
    if (R === 1 && has(ndcg) && has(map) && values[ndcg] + EPS < values[map]) {
      add('NDCG@k >= MAP@k when R = 1', `${fmt(ndcg, values[ndcg])} < ${fmt(map, values[map])}`);
    }
  }
  const { mean } = result;
  const close = (a: number, b: number) => Math.abs(a - b) <= EPS;
  if (allSingleRelevant && has(ndcg) && has(map) && has(recall) && close(mean[ndcg], mean[map]) && !close(mean[map], mean[recall])) {
    out.push({
      queryId: 'all',
      rule: 'one relevant doc per query: mean NDCG@k = mean MAP@k only if every hit is at rank 1 (then = Recall@k)',
      detail: `${fmt(ndcg, mean[ndcg])} = ${fmt(map, mean[map])} but ${fmt(recall, mean[recall])}`,
    });
  }
  return out;
}

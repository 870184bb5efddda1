import type { Qrels } from '../types.js';
import type { EvalResult } from './evaluate.js';
import { formatFixed } from './format.js';
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
 * How far apart mean NDCG@k and mean MAP@k must be when every query has one relevant doc. A hit at rank r adds
 * 1/log2(r + 1) to NDCG@k, 1/r to MAP@k and 1 to Recall@k, so per query NDCG - MAP = g(r) (Recall - MAP) with
 * g(r) = (1/log2(r + 1) - 1/r) / (1 - 1/r) for r >= 2 (and both differences 0 at r = 1 or for a miss). g falls
 * from g(2) = 0.262 to g(k) (0.210 at k = 10), so averaged over queries:
 *   g(k) (Recall - MAP) <= NDCG - MAP <= g(2) (Recall - MAP).
 */
export function singleRelevantBounds(k: number): { low: number; high: number } {
  const g = (r: number) => (1 / Math.log2(r + 1) - 1 / r) / (1 - 1 / r);
  return k < 2 ? { low: 0, high: 0 } : { low: g(k), high: g(2) };
}

/**
 * The sanity invariants on a dataset's means (docs/METRICS.md): every value in [0, 1], MAP@k <= Recall@k, and
 * when every query has one relevant doc, NDCG@k - MAP@k within the bounds above. `slack` is how far each mean
 * may be from its true value: float noise for a run's own means, half a unit of the last printed digit for a
 * published table (three decimals: 0.0005).
 */
export function checkMeanInvariants(mean: Record<MetricName, number>, k: number, allSingleRelevant: boolean, slack = EPS): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const add = (rule: string, detail: string) => out.push({ queryId: 'all', rule, detail });
  const ndcg = metricName('ndcg_cut', k);
  const map = metricName('map_cut', k);
  const recall = metricName('recall', k);
  const fmt = (m: MetricName) => `${displayName(m)}=${mean[m]}`;
  for (const [m, v] of Object.entries(mean)) if (!(v >= -slack && v <= 1 + slack)) add('mean in [0, 1]', fmt(m));
  if (map in mean && recall in mean && mean[map] > mean[recall] + 2 * slack) add('mean MAP@k <= mean Recall@k', `${fmt(map)} > ${fmt(recall)}`);
  if (allSingleRelevant && ndcg in mean && map in mean && recall in mean) {
    const { low, high } = singleRelevantBounds(k);
    const gap = mean[ndcg] - mean[map];
    const room = mean[recall] - mean[map];
    // Each difference of two means may be off by 2 slack.
    if (gap + 2 * slack < low * (room - 2 * slack) || gap - 2 * slack > high * (room + 2 * slack)) {
      add(
        `one relevant doc per query: ${formatFixed(low, 3)} (Recall@k - MAP@k) <= NDCG@k - MAP@k <= ${formatFixed(high, 3)} (Recall@k - MAP@k)`,
        `${fmt(ndcg)}, ${fmt(map)}, ${fmt(recall)}: NDCG - MAP = ${formatFixed(gap, 4)}, allowed [${formatFixed(low * room, 4)}, ${formatFixed(high * room, 4)}]`,
      );
    }
  }
  return out;
}

/**
 * Check the sanity invariants of docs/METRICS.md on every averaged query, for the measures at cutoff k
 * that the result holds: every value in [0, 1]; MAP@k <= Recall@k <= k/R; NDCG@k >= MAP@k when R = 1;
 * and on the means, when every query has one relevant doc, the bounds of singleRelevantBounds (which the
 * seed article's ArguAna row, 0.224, 0.224, 0.699, breaks: NDCG = MAP while Recall is far above both).
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
  // The per-query rules already cover range and MAP <= Recall; the means add the single-relevant bounds.
  const singleRule = checkMeanInvariants(result.mean, k, allSingleRelevant && result.perQuery.size > 0).filter((v) => v.rule.startsWith('one relevant doc'));
  return [...out, ...singleRule];
}

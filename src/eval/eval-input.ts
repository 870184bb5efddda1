import { UserError } from '../errors.js';
import { measureOf, parseMetricName, type MetricName } from './metrics.js';

/** The measures the eval and compare commands report unless told otherwise. */
export const DEFAULT_METRICS = 'ndcg_cut.10,map_cut.10,recall.10,P.10,recip_rank.10,recall.100';

/** Parse a comma-separated metric list (any accepted spelling), dropping repeats, keeping order. */
export function parseMetricList(s: string): MetricName[] {
  const names = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (names.length === 0) throw new UserError('--metrics is empty');
  return [...new Set(names.map(parseMetricName))];
}

/** Distinct cutoffs among the metrics: the invariants are checked at each. */
export function cutoffsOf(metrics: MetricName[]): number[] {
  return [...new Set(metrics.map((m) => measureOf(m).k))];
}

import { UserError } from '../errors.js';
import { DEFAULT_CUTOFF, headlineMetrics, measureOf, metricName, parseMetricName, type MetricName } from './metrics.js';

/** The measures the eval and compare commands report unless told otherwise: the headline three, P, MRR and Recall@100. */
export const DEFAULT_METRICS = [...headlineMetrics(), metricName('P', DEFAULT_CUTOFF), metricName('recip_rank', DEFAULT_CUTOFF), metricName('recall', 100)].join(',');

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

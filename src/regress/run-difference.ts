/**
 * Tonight's run against the stored baseline run, query by query: how many queries changed, the largest changes,
 * and for approximate conditions the paired bootstrap interval of the mean change (the equivalence test).
 * Queries are paired in one canonical order (query id, UTF-8 bytes), so the interval does not depend on the order
 * of the qrels file.
 */
import { bootstrapIntervals } from '../eval/compare.js';
import type { EvalResult } from '../eval/evaluate.js';
import type { MetricName } from '../eval/metrics.js';
import { Prng } from '../eval/prng.js';
import { compareUtf8 } from '../ranking.js';
import { FLOAT_TOLERANCE, type QueryChange, type RunDifference } from './verdict.js';

/** How many of the largest per-query changes a verdict names. */
const LARGEST_SHOWN = 3;

export interface BootstrapOptions {
  samples: number;
  seed: number;
}

/**
 * Per metric, the difference between the two runs. `bootstrap`: compute the 95% interval of the mean change
 * (same resamples for every metric); null leaves it out (deterministic conditions need only the count).
 */
export function runDifferences(
  baseline: EvalResult,
  tonight: EvalResult,
  metrics: readonly MetricName[],
  bootstrap: BootstrapOptions | null,
): Record<MetricName, RunDifference> {
  const ids = [...new Set([...baseline.perQuery.keys(), ...tonight.perQuery.keys()])].sort(compareUtf8);
  const value = (r: EvalResult, q: string, m: MetricName) => r.perQuery.get(q)?.[m] ?? null;
  // A query one run lacks scores 0 there: that run retrieved nothing for it.
  const diffs = metrics.map((m) => Float64Array.from(ids, (q) => (value(tonight, q, m) ?? 0) - (value(baseline, q, m) ?? 0)));
  const changedQuery = (q: string, i: number, d: Float64Array) =>
    Math.abs(d[i]) > FLOAT_TOLERANCE || baseline.perQuery.has(q) !== tonight.perQuery.has(q);
  const anyChange = diffs.some((d) => ids.some((q, i) => changedQuery(q, i, d)));
  const intervals = bootstrap && anyChange && ids.length > 0 ? bootstrapIntervals(diffs, bootstrap.samples, new Prng(bootstrap.seed)) : null;

  return Object.fromEntries(
    metrics.map((m, k) => {
      const d = diffs[k];
      const changes: (QueryChange & { size: number })[] = [];
      ids.forEach((q, i) => {
        if (changedQuery(q, i, d)) changes.push({ query: q, baseline: value(baseline, q, m), tonight: value(tonight, q, m), size: Math.abs(d[i]) });
      });
      changes.sort((a, b) => b.size - a.size || compareUtf8(a.query, b.query));
      const difference: RunDifference = {
        queries: ids.length,
        changed: changes.length,
        largest: changes.slice(0, LARGEST_SHOWN).map(({ size: _, ...c }) => c),
        ci95: intervals ? intervals[k] : null,
      };
      return [m, difference];
    }),
  ) as Record<MetricName, RunDifference>;
}

import type { Qrels } from '../types.js';
import type { EvalResult } from './evaluate.js';
import { formatFixed } from './format.js';
import { judgmentsOf, MEASURES } from './measures.js';
import { displayName, measureOf, type MetricName } from './metrics.js';
import { Prng } from './prng.js';

/** One default seed for every command, so `bench` and `compare` report the same p-values for the same runs. */
export const DEFAULT_SEED = 42;

interface ComparisonOptions {
  /** Random sign flips for the randomization test (default 10,000). */
  permutations?: number;
  /** Resamples for the bootstrap confidence interval (default 10,000). */
  bootstrapSamples?: number;
  /** PRNG seed (default DEFAULT_SEED): same seed, same p-values and intervals. */
  seed?: number;
}

export interface MetricComparison {
  metric: MetricName;
  /** Means over the n paired queries (A is the baseline, B the challenger). */
  meanA: number;
  meanB: number;
  /** meanB - meanA. */
  meanDiff: number;
  /** meanDiff / meanA; null when meanA is 0. */
  relativeChange: number | null;
  /** Paired two-sided randomization test. */
  pValue: number;
  /** Holm-adjusted p-value, set by holmAdjust across one report. */
  pHolm?: number;
  /** Paired bootstrap 95% percentile interval of meanDiff. */
  ci95: [number, number];
  /** Queries where B beats / equals / loses to A. */
  wins: number;
  ties: number;
  losses: number;
  n: number;
  /** Why the number deserves caution, in words for the report. */
  flags: string[];
}

/** Below this many queries a mean difference is fragile (TREC-COVID has 50). */
const SMALL_QUERY_SET = 100;
/** Below this many queries with a nonzero difference, the percentile bootstrap understates uncertainty. */
const FEW_DIFFERING = 10;
/** Randomized sums this close to the observed one count as ties (they differ only by rounding). */
const TIE_EPS = 1e-9;

/**
 * Compare two runs' per-query scores, paired on the queries both scored (in A's order), for every metric
 * both hold. Significance: a two-sided randomization test flipping the sign of each query's difference
 * (p = (1 + #{|flipped sum| >= |observed sum|}) / (1 + permutations), so identical runs give p = 1) and a
 * paired bootstrap percentile interval. Both draw from one seeded PRNG, so a seed reproduces the report.
 */
export function comparePaired(a: EvalResult, b: EvalResult, qrels: Qrels, opts: ComparisonOptions = {}): MetricComparison[] {
  const permutations = opts.permutations ?? 10_000;
  const bootstrapSamples = opts.bootstrapSamples ?? 10_000;
  const rng = new Prng(opts.seed ?? DEFAULT_SEED);
  const ids = [...a.perQuery.keys()].filter((q) => b.perQuery.has(q));
  const metrics = a.metrics.filter((m) => b.metrics.includes(m));
  const n = ids.length;
  if (n === 0) throw new Error('comparePaired: the two results share no query');
  if (metrics.length === 0) return [];

  const valuesA = metrics.map((m) => Float64Array.from(ids, (q) => a.perQuery.get(q)![m]));
  const valuesB = metrics.map((m) => Float64Array.from(ids, (q) => b.perQuery.get(q)![m]));
  const diffs = metrics.map((_, i) => valuesB[i].map((vb, q) => vb - valuesA[i][q]));
  const pValues = randomizationTest(diffs, permutations, rng);
  const intervals = bootstrapIntervals(diffs, bootstrapSamples, rng);
  const relevantCounts = ids.map((q) => judgmentsOf(qrels.get(q)).numRelevant);

  return metrics.map((metric, i) => {
    const meanA = mean(valuesA[i]);
    const meanB = mean(valuesB[i]);
    let wins = 0;
    let losses = 0;
    for (const d of diffs[i]) {
      if (d > 0) wins++;
      else if (d < 0) losses++;
    }
    return {
      metric,
      meanA,
      meanB,
      meanDiff: meanB - meanA,
      relativeChange: meanA === 0 ? null : (meanB - meanA) / meanA,
      pValue: pValues[i],
      ci95: intervals[i],
      wins,
      ties: n - wins - losses,
      losses,
      n,
      flags: flagsFor(metric, n, relevantCounts, meanA, wins + losses),
    };
  });
}

function mean(xs: ArrayLike<number>): number {
  return sum(xs) / xs.length;
}

/**
 * Two-sided paired randomization test for several metrics at once: each round flips the sign of each
 * query's difference with probability 1/2 (the same flips for every metric) and counts rounds whose
 * |sum| reaches the observed |sum|.
 */
function randomizationTest(diffs: Float64Array[], permutations: number, rng: Prng): number[] {
  const n = diffs[0].length;
  const observed = diffs.map((d) => Math.abs(sum(d)) - TIE_EPS);
  const atLeast = new Array<number>(diffs.length).fill(0);
  const signs = new Float64Array(n);
  for (let p = 0; p < permutations; p++) {
    for (let q = 0; q < n; q += 32) {
      const bits = rng.nextUint32();
      for (let j = 0; j < 32 && q + j < n; j++) signs[q + j] = (bits >>> j) & 1 ? -1 : 1;
    }
    for (let m = 0; m < diffs.length; m++) {
      const d = diffs[m];
      let s = 0;
      for (let q = 0; q < n; q++) s += signs[q] * d[q];
      if (Math.abs(s) >= observed[m]) atLeast[m]++;
    }
  }
  return atLeast.map((c) => (c + 1) / (permutations + 1));
}

/**
 * Percentile bootstrap of the mean of each per-query series: resample queries with replacement (the same
 * resample for every series), 2.5/97.5 percentiles. Here the series are paired differences; reports also use it
 * for one system's scores (src/report/system-intervals.ts).
 */
export function bootstrapIntervals(diffs: Float64Array[], samples: number, rng: Prng): [number, number][] {
  const n = diffs[0].length;
  const means = diffs.map(() => new Float64Array(samples));
  const sums = new Float64Array(diffs.length);
  for (let b = 0; b < samples; b++) {
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const q = rng.nextInt(n);
      for (let m = 0; m < diffs.length; m++) sums[m] += diffs[m][q];
    }
    for (let m = 0; m < diffs.length; m++) means[m][b] = sums[m] / n;
  }
  return means.map((ms) => {
    ms.sort();
    return [quantile(ms, 0.025), quantile(ms, 0.975)];
  });
}

/** Quantile of sorted values with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/**
 * Cautions for the report. With few differing queries the bootstrap distribution is a handful of
 * atoms and its percentile interval can exclude 0 when the exact randomization test says p = 0.13.
 * A measure whose cap rule (src/eval/measures.ts) binds the median query sits near its bound whatever the
 * system: MAP@k and Recall@k cannot exceed k/R, so with most queries having more than k relevant docs
 * (TREC-COVID: ~494) they sit near 0, and a relative change of a number near 0 ("+125%") says nothing;
 * likewise P@k cannot exceed R/k when most queries have fewer than k relevant docs.
 */
function flagsFor(metric: MetricName, n: number, relevantCounts: number[], meanA: number, differing: number): string[] {
  const flags: string[] = [];
  if (n < SMALL_QUERY_SET) flags.push(`small query set (n=${n})`);
  if (differing < FEW_DIFFERING) flags.push(`only ${differing} queries differ: the bootstrap interval is unreliable, trust the p-value`);
  const { kind, k } = measureOf(metric);
  const medianR = quantile(Float64Array.from(relevantCounts).sort(), 0.5);
  const cap = MEASURES[kind].cap;
  if (cap?.capped(medianR, k)) {
    const bestMean = formatFixed(mean(relevantCounts.map((R) => cap.best(R, k))), 3);
    flags.push(`${displayName(metric)} capped: median R=${medianR} ${medianR > k ? '>' : '<'} k=${k} (best possible mean ${bestMean})`);
  }
  if (meanA === 0) flags.push('baseline mean is 0: no relative change');
  return flags;
}

/**
 * Holm-Bonferroni step-down adjustment across every comparison passed (one report: all datasets x
 * metrics): the i-th smallest p becomes max over j <= i of min(1, (m - j + 1) p_(j)). Sets pHolm.
 */
export function holmAdjust(comparisons: MetricComparison[]): void {
  const m = comparisons.length;
  const order = [...comparisons].sort((x, y) => x.pValue - y.pValue);
  let running = 0;
  order.forEach((c, i) => {
    running = Math.max(running, Math.min(1, (m - i) * c.pValue));
    c.pHolm = running;
  });
}

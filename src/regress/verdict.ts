/**
 * The verdict on one metric of one condition. Anserini's check compares means only; here a value outside
 * its tolerance is also tested against the stored baseline run, query by query, so noise (an HNSW graph built
 * differently, a tie broken the other way) is told apart from a real change.
 */
import type { MetricName } from '../eval/metrics.js';

/**
 * OK: within tolerance. OK*: outside tolerance, but the paired test against the stored baseline run finds no
 * significant difference (shown, not failed). FAIL: outside tolerance and significant, or outside tolerance with
 * no baseline run to test against. CHANGED-INPUT: the data, model or encoder differ from what the matrix
 * recorded, so the expected values no longer apply (not judged as a metric regression).
 */
export type Verdict = 'OK' | 'OK*' | 'FAIL' | 'CHANGED-INPUT';

export const VERDICTS: readonly Verdict[] = ['OK', 'OK*', 'FAIL', 'CHANGED-INPUT'];

/** Verdicts that fail the run (exit 1). */
export const isFailing = (v: Verdict): boolean => v === 'FAIL' || v === 'CHANGED-INPUT';

export interface MetricCheck {
  metric: MetricName;
  expected: number;
  got: number;
  /** got - expected. */
  delta: number;
  tolerance: number;
  /** Paired randomization test against the stored baseline run, when it decided the verdict (outside tolerance, a baseline run there). */
  pValue: number | null;
  verdict: Verdict;
}

/** Differences this small are the rounding of the subtraction, not a change. */
const EPS = 1e-12;

export const withinTolerance = (delta: number, tolerance: number): boolean => Math.abs(delta) <= tolerance + EPS;

export function judgeMetric(args: {
  metric: MetricName;
  expected: number;
  got: number;
  tolerance: number;
  inputChanged: boolean;
  /** From the paired test, when a baseline run was there to test against. */
  pValue: number | null;
  alpha: number;
}): MetricCheck {
  const { metric, expected, got, tolerance, pValue, alpha } = args;
  const delta = got - expected;
  if (args.inputChanged) return { metric, expected, got, delta, tolerance, pValue: null, verdict: 'CHANGED-INPUT' };
  if (withinTolerance(delta, tolerance)) return { metric, expected, got, delta, tolerance, pValue: null, verdict: 'OK' };
  return { metric, expected, got, delta, tolerance, pValue, verdict: pValue !== null && pValue >= alpha ? 'OK*' : 'FAIL' };
}

/** A condition's verdict: CHANGED-INPUT, else the worst of its metrics (FAIL, OK*, OK). */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  for (const v of ['CHANGED-INPUT', 'FAIL', 'OK*'] as const) if (verdicts.includes(v)) return v;
  return 'OK';
}

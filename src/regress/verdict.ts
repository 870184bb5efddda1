/**
 * The verdict on one metric of one condition, from tonight's run compared query by query with the stored
 * baseline run (docs/REGRESSION.md, "Verdicts"). A deterministic condition must reproduce that run exactly; an
 * approximate one may differ only by a change an equivalence test shows to be small. "Not shown to be large" is
 * never a pass.
 */
import type { MetricName } from '../eval/metrics.js';
import { fmtCi } from '../report/numbers.js';

/**
 * OK: tonight's run reproduces the stored baseline run (every query's score equal). OK*: an approximate condition
 * whose run changed by an amount shown to be within its margin. FAIL: a deterministic condition whose run changed,
 * or an approximate one whose change is not shown to be within its margin. CHANGED-INPUT: the data, model or
 * encoder differ from what the matrix recorded, so the expected values no longer apply.
 */
export type Verdict = 'OK' | 'OK*' | 'FAIL' | 'CHANGED-INPUT';

export const VERDICTS: readonly Verdict[] = ['OK', 'OK*', 'FAIL', 'CHANGED-INPUT'];

/** Verdicts that fail the run (exit 1). */
export const isFailing = (v: Verdict): boolean => v === 'FAIL' || v === 'CHANGED-INPUT';

/** Per-query scores this close are equal: the same ranking scored twice, not a change. */
export const FLOAT_TOLERANCE = 1e-9;

/**
 * An equivalence test needs this many queries: below it the percentile bootstrap understates the uncertainty of a
 * mean, so a changed approximate condition with fewer queries fails (its change cannot be shown to be small).
 */
export const MIN_EQUIVALENCE_QUERIES = 30;

/** One query whose score changed. */
export interface QueryChange {
  query: string;
  /** null: the query is absent from that run. */
  baseline: number | null;
  tonight: number | null;
}

/** Tonight's run against the stored baseline run, for one metric. */
export interface RunDifference {
  /** Queries compared: those of either run. */
  queries: number;
  /** Queries whose score differs by more than FLOAT_TOLERANCE (or that one run lacks). */
  changed: number;
  /** The largest changes, largest first. */
  largest: QueryChange[];
  /** Paired bootstrap 95% interval of the mean difference (tonight - baseline); null when not computed. */
  ci95: [number, number] | null;
}

export interface MetricCheck extends RunDifference {
  metric: MetricName;
  /** The matrix's value (what the stored baseline run scores). */
  expected: number;
  /** Tonight's mean. */
  got: number;
  /** got - expected. */
  delta: number;
  /** How far an approximate condition may move: the equivalence margin; 0 for a deterministic one. */
  margin: number;
  verdict: Verdict;
  /** Why the verdict is not OK, in words (empty for OK). */
  reason: string;
}

/** How a condition is judged: its system reproduces its run bit for bit, or only approximately. */
export type ConditionKind = 'deterministic' | 'approximate';

const changedWords = (d: RunDifference) => `${d.changed} of ${d.queries} quer${d.queries === 1 ? 'y' : 'ies'} changed`;

export function judgeMetric(args: {
  metric: MetricName;
  expected: number;
  got: number;
  kind: ConditionKind;
  /** The equivalence margin of an approximate condition. */
  margin: number;
  difference: RunDifference;
  inputChanged: boolean;
}): MetricCheck {
  const { metric, expected, got, kind, difference: d } = args;
  const margin = kind === 'deterministic' ? 0 : args.margin;
  const check = (verdict: Verdict, reason: string): MetricCheck => ({ metric, expected, got, delta: got - expected, margin, ...d, verdict, reason });
  if (args.inputChanged) return check('CHANGED-INPUT', 'the inputs differ from what the matrix recorded');
  if (d.changed === 0) return check('OK', '');
  if (kind === 'deterministic') return check('FAIL', `${changedWords(d)}: a deterministic condition must reproduce its stored baseline run`);
  if (d.queries < MIN_EQUIVALENCE_QUERIES) {
    return check('FAIL', `${changedWords(d)}: too few queries to show the change is within ±${margin} (an equivalence test needs ${MIN_EQUIVALENCE_QUERIES})`);
  }
  if (!d.ci95) throw new Error('judgeMetric: a changed approximate condition needs its confidence interval');
  const [low, high] = d.ci95;
  const ci = `95% CI of the mean change ${fmtCi(d.ci95)}`;
  return low >= -margin && high <= margin
    ? check('OK*', `${changedWords(d)}; ${ci} within ±${margin}`)
    : check('FAIL', `${changedWords(d)}; ${ci} not within ±${margin}: the change is not shown to be small`);
}

/** A condition's verdict: CHANGED-INPUT, else the worst of its metrics (FAIL, OK*, OK). */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  for (const v of ['CHANGED-INPUT', 'FAIL', 'OK*'] as const) if (verdicts.includes(v)) return v;
  return 'OK';
}

/**
 * The equivalence gate's rule on its own (no results types, so the recorded verdicts of gate-record.ts can use it
 * from anywhere): a difference is negligible when its paired 95% interval lies inside ±ciBound and its mean within
 * ±meanBound.
 */
export interface EquivalenceBounds {
  /** The 95% interval of Δ must lie inside [-ciBound, +ciBound]. */
  ciBound: number;
  /** |Δ mean| must be at most this. */
  meanBound: number;
}

/** Issue 27's gate: ΔNDCG@10 interval inside ±0.005 and |Δ mean| ≤ 0.002. */
export const DEFAULT_BOUNDS: EquivalenceBounds = { ciBound: 0.005, meanBound: 0.002 };

/** A comparison passes when its interval lies inside ±ciBound and its mean difference within ±meanBound. */
export function isEquivalent(c: { meanDiff: number; ci95: readonly [number, number] }, bounds: EquivalenceBounds): boolean {
  return c.ci95[0] >= -bounds.ciBound && c.ci95[1] <= bounds.ciBound && Math.abs(c.meanDiff) <= bounds.meanBound;
}

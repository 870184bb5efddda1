/**
 * The one way every report prints numbers (terminal, markdown, `compare`), so a value never reads two ways.
 * Rounding is half to even on the exact binary value, as trec_eval's printf does (src/eval/format.ts).
 */
import { formatFixed, signed } from '../eval/format.js';

// Defined beside formatFixed so that src/eval/gate-record.ts, below the reports, prints differences the same way.
export { fmtCi, signed } from '../eval/format.js';

export const fmtScore = (v: number): string => formatFixed(v, 4);

/** A relative change in percent, e.g. +1.2%; n/a when the baseline mean is 0. */
export function fmtChange(rel: number | null): string {
  if (rel === null || !Number.isFinite(rel)) return 'n/a';
  return `${signed(rel * 100, 1)}%`;
}

/** A p-value: three decimals, or <0.001; '-' when there is none (e.g. no Holm adjustment). */
export function fmtP(p: number | undefined): string {
  if (p === undefined) return '-';
  return p < 0.001 ? '<0.001' : formatFixed(p, 3);
}

/** A p-value in a sentence: `p = 0.123`, `p < 0.001`; `name` names it (e.g. `Holm p`). */
export function pClause(p: number | undefined, name = 'p'): string {
  const text = fmtP(p);
  return text.startsWith('<') ? `${name} ${text.replace('<', '< ')}` : `${name} = ${text}`;
}


/** An interval of a score (e.g. a mean): unsigned ends, as scores print. */
export const fmtScoreInterval = ([lo, hi]: readonly [number, number]): string => `[${fmtScore(lo)}, ${fmtScore(hi)}]`;

/** A correlation coefficient (Spearman's rho): three decimals; n/a when undefined. */
export const fmtCorrelation = (r: number | null): string => (r === null ? 'n/a' : formatFixed(r, 3));

/** A share as a percentage with one decimal: 0.9731 -> 97.3%; n/a when undefined. */
export const fmtPercent = (share: number | null): string => (share === null ? 'n/a' : `${formatFixed(share * 100, 1)}%`);

import type { MetricComparison } from '../eval/compare.js';
import { formatFixed } from '../eval/format.js';
import type { LengthAnalysis } from '../eval/length-analysis.js';
import { displayName } from '../eval/metrics.js';
import { fmtChange, fmtCi, fmtP, fmtScore, signed } from './numbers.js';

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

/**
 * A plain-text comparison of two arms: means, difference with its bootstrap interval, randomization
 * p-value (raw and Holm-adjusted), win/tie/loss, then each metric's cautions spelled out, so a relative
 * change never stands without its uncertainty.
 */
export function renderComparison(comparisons: MetricComparison[], labels: { a: string; b: string }): string {
  const header = ['metric', 'A', 'B', 'B-A', 'change', '95% CI of B-A', 'p', 'p (Holm)', 'win/tie/loss'];
  const rows = comparisons.map((c) => [
    displayName(c.metric),
    fmtScore(c.meanA),
    fmtScore(c.meanB),
    signed(c.meanDiff),
    fmtChange(c.relativeChange),
    fmtCi(c.ci95),
    fmtP(c.pValue),
    fmtP(c.pHolm),
    `${c.wins}/${c.ties}/${c.losses}`,
  ]);
  const lines = [`A = ${labels.a}`, `B = ${labels.b}`, `paired on ${comparisons[0]?.n ?? 0} queries`, '', table([header, ...rows])];
  const flagged = comparisons.filter((c) => c.flags.length > 0);
  if (flagged.length > 0) {
    lines.push('', 'Cautions:');
    for (const c of flagged) lines.push(`  ${displayName(c.metric)}: ${c.flags.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The per-query gain by query length, as a small table plus the rank correlation. */
export function renderLengthAnalysis(metric: string, analysis: LengthAnalysis): string {
  const rows = analysis.buckets.map((b) => [b.label, String(b.n), signed(b.meanGain)]);
  const rho = analysis.spearman === null ? 'n/a' : formatFixed(analysis.spearman, 3);
  return [
    `Gain in ${displayName(metric)} (B - A) by query length (quartiles of ${analysis.n} queries, in words):`,
    table([['length', 'queries', 'mean gain'], ...rows]),
    `Spearman correlation of query length and gain: ${rho}`,
  ].join('\n') + '\n';
}

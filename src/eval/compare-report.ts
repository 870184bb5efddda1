import type { MetricComparison } from './compare.js';
import { formatFixed } from './format.js';
import type { LengthAnalysis } from './length-analysis.js';
import { displayName } from './metrics.js';

const signed = (x: number, digits: number) => (x > 0 ? '+' : '') + formatFixed(x, digits);

function pValueText(p: number | undefined): string {
  if (p === undefined) return '-';
  return p < 0.001 ? p.toExponential(1) : formatFixed(p, 3);
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
function table(rows: string[][]): string {
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
    formatFixed(c.meanA, 4),
    formatFixed(c.meanB, 4),
    signed(c.meanDiff, 4),
    c.relativeChange === null ? 'n/a' : `${signed(100 * c.relativeChange, 1)}%`,
    `[${signed(c.ci95[0], 4)}, ${signed(c.ci95[1], 4)}]`,
    pValueText(c.pValue),
    pValueText(c.pHolm),
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
  const rows = analysis.buckets.map((b) => [b.label, String(b.n), signed(b.meanGain, 4)]);
  const rho = analysis.spearman === null ? 'n/a' : formatFixed(analysis.spearman, 3);
  return [
    `Gain in ${displayName(metric)} (B - A) by query length (quartiles of ${analysis.n} queries, in words):`,
    table([['length', 'queries', 'mean gain'], ...rows]),
    `Spearman correlation of query length and gain: ${rho}`,
  ].join('\n') + '\n';
}

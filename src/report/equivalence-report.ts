import type { EquivalenceRow } from '../eval/equivalence.js';
import type { EquivalenceBounds } from '../eval/equivalence-rule.js';
import { displayName } from '../eval/metrics.js';
import { table } from './compare-report.js';
import { fmtCi, fmtP, fmtScore, signed } from './numbers.js';

/** `gate`'s output: one verdict line per dataset (every system pair must pass), then the table behind them. */
export function renderEquivalence(rows: EquivalenceRow[], bounds: EquivalenceBounds): string {
  const metric = displayName(rows[0].comparison.metric);
  const rule = `95% CI of Δ${metric} inside ±${bounds.ciBound} and |Δ mean| ≤ ${bounds.meanBound}`;
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  const verdicts = datasets.map((d) => {
    const of = rows.filter((r) => r.dataset === d);
    const worst = of.find((r) => !r.pass) ?? of[0];
    const c = worst.comparison;
    const pass = of.every((r) => r.pass);
    return `${pass ? 'PASS' : 'FAIL'} ${d}: ${of.length === 1 ? '' : `${of.filter((r) => r.pass).length}/${of.length} systems; ${worst.candidate} `}Δ ${signed(c.meanDiff)}, 95% CI ${fmtCi(c.ci95)}, n ${c.n} (${rule})`;
  });
  const header = ['dataset', 'baseline', 'candidate', 'A', 'B', 'Δ (B-A)', '95% CI of Δ', 'p', 'win/tie/loss', 'verdict'];
  const body = rows.map((r) => {
    const c = r.comparison;
    return [r.dataset, `${r.baseline} (${r.baselineEncoder})`, `${r.candidate} (${r.candidateEncoder})`, fmtScore(c.meanA), fmtScore(c.meanB), signed(c.meanDiff), fmtCi(c.ci95), fmtP(c.pValue), `${c.wins}/${c.ties}/${c.losses}`, r.pass ? 'PASS' : 'FAIL'];
  });
  return `${verdicts.join('\n')}\n\n${metric}, A = baseline, B = candidate:\n${table([header, ...body])}\n`;
}

/** The --fusion-weights curves in words: one line per weight curve, the test-tuning caveat, and the tuned weight. */
import { displayName } from '../eval/metrics.js';
import { formatFixed } from '../eval/format.js';
import type { ReportDataset, ReportModel } from './combine.js';
import { fmtScore, signed } from './numbers.js';

/** The weights' meaning from the swept column's components: `w = weight of BM25, Asymmetric gets 1 - w`. */
export function weightMeaning(model: ReportModel, column: string): string {
  const system = model.columns.find((c) => c.id === column)?.system;
  if (system?.kind !== 'hybrid') return 'w = weight of the first component';
  const [a, b] = system.components.map((c) => c.label);
  return `w = weight of ${a}, ${b} gets 1 - w`;
}

const fmtWeight = (w: number) => formatFixed(w, 2);

export function sweepNotes(model: ReportModel, d: ReportDataset): string[] {
  const primary = model.metrics[0];
  const metric = displayName(primary);
  const label = (id: string) => model.columns.find((c) => c.id === id)?.label ?? id;
  return d.fusionSweeps.flatMap((s) => {
    const curve = s.points.map((p) => `w ${fmtWeight(p.weight)}: ${fmtScore(p.mean[primary])}`).join(', ');
    const best = s.points.reduce((a, p) => (p.mean[primary] > a.mean[primary] ? p : a));
    const lines = [
      `  ${label(s.system)}: fusion weight sweep (${weightMeaning(model, s.system)}), ${metric} on the ${d.queries} ${d.split} queries — ${curve}.`,
      `  ! The best weight of that curve (w ${fmtWeight(best.weight)}, ${fmtScore(best.mean[primary])}) is chosen on the very queries it is scored on: an optimistic estimate.`,
    ];
    if (s.tuned) {
      const t = s.tuned;
      const atTuned = s.points.find((p) => p.weight === t.weight)!;
      lines.push(
        `  Tuned on ${t.split} (${t.queries} queries, ${metric} there ${fmtScore(t.points.find((p) => p.weight === t.weight)!.mean[primary])}): w ${fmtWeight(t.weight)}, ` +
          `${d.split} ${metric} ${fmtScore(atTuned.mean[primary])} (${signed(atTuned.mean[primary] - best.mean[primary])} vs the test-picked weight): the honest figure.`,
      );
    } else {
      lines.push('  Pick the weight on other queries with --tune-split (a split with qrels besides test, e.g. NFCorpus dev, SciFact train).');
    }
    return lines;
  });
}

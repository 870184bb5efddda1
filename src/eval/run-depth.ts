/**
 * Whether a run file is deep enough for a cutoff (docs/METRICS.md "Run depth"). A file does not say how deep it was
 * retrieved, so its depth is read from its lists: the most hits any scored query holds (as scored: without its self hit
 * under ignore_identical_ids). A cutoff
 * deeper than that would score lists that may all have been cut shallower, so the measure would be computed from
 * less than its name says (Recall@100 of a 10-deep run equals Recall@10): refused. A query holding fewer hits than
 * the cutoff in a run that is deep enough elsewhere is a whole list (the engine matched no more) and is scored as
 * trec_eval does, padded with non-relevant docs. When every list is whole yet shorter than a cutoff (a corpus
 * smaller than it), the user says so (`complete`) and nothing is refused.
 */
import { UserError } from '../errors.js';
import { displayName, measureOf, type MetricName } from './metrics.js';

/** The metrics whose cutoff is deeper than a run whose deepest query holds `maxHits` hits. */
export function deeperThanRun(metrics: readonly MetricName[], maxHits: number): MetricName[] {
  return metrics.filter((m) => measureOf(m).k > maxHits);
}

/** The flag of `eval` and `compare` that declares every list of the run files whole. */
export const COMPLETE_RUNS_FLAG = '--complete-runs';

export interface RunDepthOptions {
  /** The user named the metrics (an error when too deep), or they are the defaults (left out, with a note). */
  requested: boolean;
  /** COMPLETE_RUNS_FLAG: every list is whole, score every cutoff. */
  complete: boolean;
  /** Hits were counted with the self hit removed (--ignore-identical-ids), as scored. */
  dropsSelfHits: boolean;
}

/** One line naming the file, its depth and the cutoffs it cannot serve, and the three ways out. */
function shallowRunError(file: string, maxHits: number, metrics: readonly MetricName[], dropsSelfHits: boolean): UserError {
  const deepest = Math.max(...metrics.map((m) => measureOf(m).k));
  return new UserError(
    `${file} is shallower than the cutoff of ${metrics.map(displayName).join(', ')}: no query holds more than ${maxHits} hits` +
      `${dropsSelfHits ? ' once its self hit is removed' : ''}, so every list may have been cut there and the measure would count ` +
      `fewer hits than its name says. Retrieve at least ${deepest} hits per query, ask for cutoffs up to ${maxHits}, or pass ` +
      `${COMPLETE_RUNS_FLAG} if every list is whole (e.g. a corpus of fewer than ${deepest} documents)`,
  );
}

/**
 * The metrics to report from run files (each with its evident depth, `maxHits`). A requested metric deeper than a
 * file is an error; from the default list, such metrics are left out, each with a note saying why. `complete`
 * keeps them all.
 */
export function metricsForRuns(
  metrics: readonly MetricName[],
  runs: readonly { file: string; maxHits: number }[],
  opts: RunDepthOptions,
): { metrics: MetricName[]; notes: string[] } {
  if (opts.complete) return { metrics: [...metrics], notes: [] };
  const shallow = runs.map((r) => ({ ...r, deeper: deeperThanRun(metrics, r.maxHits) })).filter((r) => r.deeper.length > 0);
  const kept = metrics.filter((m) => !shallow.some((r) => r.deeper.includes(m)));
  if (shallow.length > 0 && (opts.requested || kept.length === 0)) {
    const worst = shallow.reduce((a, b) => (b.maxHits < a.maxHits ? b : a));
    throw shallowRunError(worst.file, worst.maxHits, worst.deeper, opts.dropsSelfHits);
  }
  const notes = shallow.map(
    (r) =>
      `${r.deeper.map(displayName).join(', ')} left out: no query of ${r.file} holds more than ${r.maxHits} hits, so the run may have been ` +
      `cut shallower than the cutoff (ask for it with --metrics to see why, or pass ${COMPLETE_RUNS_FLAG} if every list is whole)`,
  );
  return { metrics: kept, notes };
}

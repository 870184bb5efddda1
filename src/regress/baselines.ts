/**
 * The stored baseline runs, scored before anything runs: every condition must have one, and the matrix's expected
 * values must be what it scores (within the tolerance). A matrix that documents numbers its runs never produced is
 * invalid (exit 2, naming the first such value), not a pass with a note.
 */
import { stat } from 'node:fs/promises';
import { qrelsFile, requireDatasetFile } from '../datasets/loaders.js';
import { resolveDataset } from '../datasets/source.js';
import { UserError } from '../errors.js';
import { scoreRunFile } from '../eval/evaluate-file.js';
import type { EvalResult } from '../eval/evaluate.js';
import { deepestCutoff, displayName, type MetricName } from '../eval/metrics.js';
import { metricsForRuns } from '../eval/run-depth.js';
import { readQrels } from '../formats/qrels-file.js';
import { fmtScore } from '../report/numbers.js';
import { pickQueries } from '../datasets/slice.js';
import type { Qrels } from '../types.js';
import { conditionName, IGNORE_IDENTICAL_IDS, type DatasetEntry, type RegressionMatrix } from './matrix.js';
import type { RunSettings } from './run-matrix.js';


/** Differences this small are the rounding of a subtraction, not a difference. */
const EPS = 1e-12;

/**
 * Score a run file with the matrix's metrics over every query of `qrels` (the entry's queries, as bench scores
 * them): a query the run has no line for, because nothing was retrieved, scores 0 and still counts. A run file
 * shallower than a cutoff is refused (src/eval/run-depth.ts), unless the corpus (`docs`, when known) is no larger
 * than the cutoff, so every list is whole however short.
 */
export async function scoreRun(qrels: Qrels, path: string, metrics: readonly MetricName[], docs?: number): Promise<EvalResult> {
  const { result, maxHits } = await scoreRunFile(qrels, path, { metrics: [...metrics], ignoreIdenticalIds: IGNORE_IDENTICAL_IDS, averageOverAllQrels: true });
  metricsForRuns(metrics, [{ file: path, maxHits }], {
    requested: true,
    complete: docs !== undefined && docs <= deepestCutoff(metrics),
    dropsSelfHits: IGNORE_IDENTICAL_IDS,
  });
  return result;
}

/** Where datasets come from (regress's --data-dir, --cache-dir, --mirror). */
export type DataSource = Pick<RunSettings, 'dataDir' | 'datasetCacheDir' | 'mirror' | 'quiet'>;

/** The qrels of an entry's queries: the split's, or the slice's (picked as loadDataset picks them). */
export async function entryQrels(entry: DatasetEntry, rs: DataSource): Promise<Qrels> {
  const source = await resolveDataset(entry.source, { dataDir: rs.dataDir, cacheDir: rs.datasetCacheDir, mirror: rs.mirror, quiet: rs.quiet, baseDir: entry.baseDir });
  const all = await readQrels(await requireDatasetFile(source.folder, qrelsFile(entry.split)), { format: 'beir' });
  if (entry.maxQueries === undefined) return all;
  return new Map(pickQueries([...all.keys()], entry.maxQueries).map((q) => [q, all.get(q)!]));
}

/** Each condition's stored baseline run as scored, by condition name, and each entry's qrels. */
export interface Baselines {
  runs: Map<string, EvalResult>;
  qrels: Map<DatasetEntry, Qrels>;
}

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/**
 * What must hold before anything runs (exit 2 otherwise): every condition has an expected value for every metric
 * and a stored baseline run that is there and scores those values. --update needs none of it: it records them.
 */
export async function checkBaselines(matrix: RegressionMatrix, entries: readonly DatasetEntry[], rs: RunSettings): Promise<Baselines> {
  const baselines: Baselines = { runs: new Map(), qrels: new Map() };
  const fix = 'run regress --update to record them from a run, then review and commit the matrix';
  for (const entry of entries) {
    for (const system of entry.systems) {
      const e = entry.expected.get(system.id);
      const missing = matrix.metrics.filter((m) => !e?.metrics.has(m));
      if (!e || missing.length > 0) {
        throw new UserError(`${e?.where ?? entry.where}: ${conditionName(entry, system)} has no expected ${missing.map(displayName).join(', ')}: ${fix}`);
      }
      if (!e.baselineRun) throw new UserError(`${e.where}: ${conditionName(entry, system)} has no baselineRun (tonight's run is judged against it): ${fix}`);
      if (!(await isFile(e.baselineRun.path))) throw new UserError(`${e.baselineRun.where}: stored baseline run ${e.baselineRun.path} is missing (${fix})`);
    }
    if (entry.inputs && !entry.inputs.content) {
      throw new UserError(`${entry.inputs.where}: the recorded inputs have no content digests (recorded by an older beir-bench), so they cannot be compared: ${fix}`);
    }
    const qrels = await entryQrels(entry, rs);
    baselines.qrels.set(entry, qrels);
    for (const system of entry.systems) {
      const e = entry.expected.get(system.id)!;
      const run = e.baselineRun!;
      const docs = entry.inputs?.stats.docs;
      const scored = await scoreRun(qrels, run.path, matrix.metrics, typeof docs === 'number' ? docs : undefined).catch((err: unknown) => {
        throw err instanceof UserError ? new UserError(`${run.where}: stored baseline run ${run.ref} of ${entry.name}: ${err.message}`) : err;
      });
      for (const m of matrix.metrics) {
        const expected = e.metrics.get(m)!;
        if (Math.abs(scored.mean[m] - expected) <= e.tolerance[m] + EPS) continue;
        throw new UserError(
          `${e.metricWhere.get(m)}: ${fmtScore(expected)} is not what the stored baseline run ${run.ref} scores ` +
            `(${displayName(m)} ${fmtScore(scored.mean[m])}, tolerance ±${e.tolerance[m]}): the matrix would document a number its runs never produced; ` +
            'record values and run together with regress --update',
        );
      }
      baselines.runs.set(conditionName(entry, system), scored);
    }
  }
  return baselines;
}

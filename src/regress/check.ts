/**
 * Check one dataset entry's results.json against the matrix: per condition (dataset x system) the input
 * fingerprints, then each metric against its expected value and tolerance, with the paired test against the
 * stored baseline run for values outside tolerance.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { comparePaired } from '../eval/compare.js';
import { scoreRunFile } from '../eval/evaluate-file.js';
import type { EvalResult } from '../eval/evaluate.js';
import { deepestCutoff, displayName, type MetricName } from '../eval/metrics.js';
import { metricsForRuns } from '../eval/run-depth.js';
import { readQrels } from '../formats/qrels-file.js';
import { fmtScore } from '../report/numbers.js';
import type { DatasetResults, ResultsFile } from '../results/schema.js';
import { datasetInputs, inputChanges, stringChanges, systemInputs } from './inputs.js';
import { conditionName, STORED_DECIMALS, type DatasetEntry, type Expectation, type RegressionMatrix } from './matrix.js';
import { judgeMetric, withinTolerance, worstVerdict, type MetricCheck, type Verdict } from './verdict.js';

export interface ConditionCheck {
  /** Matrix name (file name without extension). */
  matrix: string;
  /** `scifact/bm25`. */
  condition: string;
  entry: string;
  dataset: string;
  system: string;
  /** The matrix's significance level for OK*. */
  alpha: number;
  verdict: Verdict;
  checks: MetricCheck[];
  /** Why the condition is CHANGED-INPUT: each recorded input that differs tonight. */
  inputChanges: string[];
  /** Other things a reader should know (changed strings sent, a baseline run that disagrees with the expected values). */
  notes: string[];
}

/** Options of the paired test. */
export interface PairedOptions {
  permutations: number;
  seed: number;
}

interface ScoringContext {
  dataset: DatasetResults;
  metrics: MetricName[];
  ignoreIdenticalIds: boolean;
}

async function qrelsOf(d: DatasetResults) {
  const file = d.files[`qrels/${d.split}.tsv`];
  if (!file) throw new Error(`results.json of ${d.name} lists no qrels/${d.split}.tsv`);
  return readQrels(file.path, { format: 'beir' });
}

/** A run file scored at the matrix's metrics; one shallower than a cutoff is refused (src/eval/run-depth.ts). */
async function score(ctx: ScoringContext, qrels: Awaited<ReturnType<typeof qrelsOf>>, path: string): Promise<EvalResult> {
  const { result, maxHits } = await scoreRunFile(qrels, path, { metrics: ctx.metrics, ignoreIdenticalIds: ctx.ignoreIdenticalIds, averageOverAllQrels: false });
  // A slice whose corpus is no larger than the cutoff has whole lists however short.
  metricsForRuns(ctx.metrics, [{ file: path, maxHits }], {
    requested: true,
    complete: ctx.dataset.docs <= deepestCutoff(ctx.metrics),
    dropsSelfHits: ctx.ignoreIdenticalIds,
  });
  return result;
}

/**
 * p-value per metric of the paired randomization test between the stored baseline run and tonight's run, both
 * scored from their run files the same way, plus how the baseline run itself scores (it should reproduce the
 * expected values; when it does not, the note says so).
 */
async function pairedTest(
  ctx: ScoringContext,
  baseline: NonNullable<Expectation['baselineRun']>,
  tonight: string,
  opts: PairedOptions,
): Promise<{ pValues: Record<MetricName, number>; baselineMean: Record<MetricName, number> }> {
  const qrels = await qrelsOf(ctx.dataset);
  const [a, b] = [await score(ctx, qrels, baseline.path), await score(ctx, qrels, tonight)];
  if (![...a.perQuery.keys()].some((q) => b.perQuery.has(q))) {
    throw new UserError(`${baseline.where}: the stored baseline run ${baseline.ref} shares no query with tonight's run: is it from another dataset or slice?`);
  }
  const compared = comparePaired(a, b, qrels, { permutations: opts.permutations, bootstrapSamples: opts.permutations, seed: opts.seed });
  return { pValues: Object.fromEntries(compared.map((c) => [c.metric, c.pValue])), baselineMean: a.mean };
}

/** Check every system of one dataset entry; `results` and `dir` are that entry's bench run. */
export async function checkEntry(
  matrix: RegressionMatrix,
  entry: DatasetEntry,
  results: ResultsFile,
  dir: string,
  opts: PairedOptions,
): Promise<ConditionCheck[]> {
  const [dataset] = results.datasets;
  const ctx: ScoringContext = { dataset, metrics: matrix.metrics, ignoreIdenticalIds: results.config.ignoreIdenticalIds };
  const nowDataset = datasetInputs(dataset);
  const out: ConditionCheck[] = [];
  for (const system of entry.systems) {
    const sr = dataset.systems.find((s) => s.system === system.id);
    const expected = entry.expected.get(system.id);
    if (!sr || !expected) throw new Error(`checkEntry: ${conditionName(entry, system)} has no results or no expectation`);
    const nowSystem = systemInputs(sr);
    const changes = inputChanges({ dataset: entry.inputs, system: expected.inputs }, { dataset: nowDataset, system: nowSystem });
    const notes = stringChanges(expected.inputs, nowSystem).map((c) => `the strings sent to the model changed (${c}): prefixes or text building differ`);

    const outside = matrix.metrics.some((m) => !withinTolerance(sr.mean[m] - expected.metrics.get(m)!, expected.tolerance[m]));
    let pValues: Record<MetricName, number> | null = null;
    if (outside && changes.length === 0 && expected.baselineRun) {
      const t = await pairedTest(ctx, expected.baselineRun, join(dir, sr.runFile), opts);
      pValues = t.pValues;
      for (const m of matrix.metrics) {
        if (Math.abs(t.baselineMean[m] - expected.metrics.get(m)!) > 0.5 * 10 ** -STORED_DECIMALS) {
          notes.push(`the stored baseline run scores ${displayName(m)} ${fmtScore(t.baselineMean[m])}, not the expected ${fmtScore(expected.metrics.get(m)!)}: update them together`);
        }
      }
    }
    const checks = matrix.metrics.map((m) =>
      judgeMetric({
        metric: m,
        expected: expected.metrics.get(m)!,
        got: sr.mean[m],
        tolerance: expected.tolerance[m],
        inputChanged: changes.length > 0,
        pValue: pValues?.[m] ?? null,
        alpha: matrix.alpha,
      }),
    );
    out.push({
      matrix: matrix.name,
      condition: conditionName(entry, system),
      entry: entry.name,
      dataset: entry.dataset,
      system: system.id,
      alpha: matrix.alpha,
      verdict: worstVerdict(checks.map((c) => c.verdict)),
      checks,
      inputChanges: changes,
      notes,
    });
  }
  return out;
}

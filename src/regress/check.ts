/**
 * Check one dataset entry's results.json against the matrix: per condition (dataset x system) the recorded
 * inputs, then tonight's run against the stored baseline run query by query, judged as the system's kind says
 * (deterministic: reproduced exactly; approximate: an equivalence test within the margin).
 */
import { join } from 'node:path';
import type { ResultsFile } from '../results/schema.js';
import { isDeterministic } from '../systems/system-engines.js';
import { scoreRun, type Baselines } from './baselines.js';
import { datasetInputs, fileChanges, inputChanges, stringChanges, systemInputs } from './inputs.js';
import { conditionName, type DatasetEntry, type RegressionMatrix } from './matrix.js';
import { runDifferences, type BootstrapOptions } from './run-difference.js';
import { judgeMetric, worstVerdict, type ConditionKind, type MetricCheck, type Verdict } from './verdict.js';

export interface ConditionCheck {
  /** Matrix name (file name without extension). */
  matrix: string;
  /** `scifact/bm25`. */
  condition: string;
  entry: string;
  dataset: string;
  system: string;
  kind: ConditionKind;
  verdict: Verdict;
  checks: MetricCheck[];
  /** Why the condition is CHANGED-INPUT: each recorded input that differs tonight. */
  inputChanges: string[];
  /** Other things a reader should know (the files' bytes or the strings sent changed). */
  notes: string[];
}

/** Check every system of one dataset entry; `results` and `dir` are that entry's bench run. */
export async function checkEntry(
  matrix: RegressionMatrix,
  entry: DatasetEntry,
  results: ResultsFile,
  dir: string,
  baselines: Baselines,
  bootstrap: BootstrapOptions,
): Promise<ConditionCheck[]> {
  const [dataset] = results.datasets;
  const nowDataset = datasetInputs(dataset);
  const qrels = baselines.qrels.get(entry);
  if (!qrels) throw new Error(`checkEntry: ${entry.name} was not checked before the run`);
  const out: ConditionCheck[] = [];
  for (const system of entry.systems) {
    const name = conditionName(entry, system);
    const sr = dataset.systems.find((s) => s.system === system.id);
    const expected = entry.expected.get(system.id);
    const baseline = baselines.runs.get(name);
    if (!sr || !expected || !baseline) throw new Error(`checkEntry: ${name} has no results, expectation or baseline run`);
    const nowSystem = systemInputs(sr);
    const changes = inputChanges({ dataset: entry.inputs, system: expected.inputs }, { dataset: nowDataset, system: nowSystem });
    const notes = [
      ...fileChanges(entry.inputs, nowDataset).map((c) => `the dataset files' bytes changed, their records did not (${c}): line order, line endings or key order differ`),
      ...stringChanges(expected.inputs, nowSystem).map((c) => `the strings sent to the model changed (${c}): prefixes or text building differ`),
    ];
    const kind: ConditionKind = isDeterministic(system) ? 'deterministic' : 'approximate';
    const tonight = await scoreRun(qrels, join(dir, sr.runFile), matrix.metrics, dataset.docs);
    const differences = runDifferences(baseline, tonight, matrix.metrics, kind === 'approximate' ? bootstrap : null);
    const checks = matrix.metrics.map((m) =>
      judgeMetric({
        metric: m,
        expected: expected.metrics.get(m)!,
        got: tonight.mean[m],
        kind,
        margin: expected.margin[m],
        difference: differences[m],
        inputChanged: changes.length > 0,
      }),
    );
    out.push({
      matrix: matrix.name,
      condition: name,
      entry: entry.name,
      dataset: entry.dataset,
      system: system.id,
      kind,
      verdict: worstVerdict(checks.map((c) => c.verdict)),
      checks,
      inputChanges: changes,
      notes,
    });
  }
  return out;
}

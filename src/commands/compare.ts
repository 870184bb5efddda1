import type { Argv } from 'yargs';
import { readQueries } from '../datasets/loaders.js';
import { UserError } from '../errors.js';
import { comparePaired, DEFAULT_SEED, holmAdjust, type MetricComparison } from '../eval/compare.js';
import { renderComparison, renderLengthAnalysis } from '../report/compare-report.js';
import { scoreRunFile, type RunFileEval } from '../eval/evaluate-file.js';
import { onlyMetrics } from '../eval/evaluate.js';
import { cutoffsOf, DEFAULT_METRICS, parseMetricList } from '../eval/eval-input.js';
import { metricsForRuns } from '../eval/run-depth.js';
import { checkInvariants, type InvariantViolation } from '../eval/invariants.js';
import { gainByQueryLength, type LengthAnalysis } from '../eval/length-analysis.js';
import { readQrels, type QrelsFormat } from '../formats/qrels-file.js';
import { coverageNotes, violationNotes, withScoringOptions } from './eval.js';
import { defineCommand } from './define-command.js';
import { checkPositiveIntegers } from '../option-checks.js';

function builder(y: Argv) {
  return withScoringOptions(y)
    .option('run', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Two TREC run files, baseline first: --run A --run B (differences are B - A)',
    })
    .option('permutations', { type: 'number', default: 10_000, describe: 'Random sign flips for the paired randomization test' })
    .option('bootstrap-samples', { type: 'number', default: 10_000, describe: 'Resamples for the paired bootstrap 95% interval' })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'PRNG seed: the same seed reproduces p-values and intervals exactly' })
    .option('queries', { type: 'string', describe: 'BEIR queries.jsonl: adds the gain in the first metric by query length' })
    .check((a) => checkPositiveIntegers(a, ['permutations', 'bootstrap-samples']))
    .example('$0 compare --qrels qrels/test.tsv --run sym.trec --run asym.trec', 'Is asym.trec better than sym.trec, and by how much?');
}

export interface CompareArgs {
  qrels: string;
  qrelsFormat: QrelsFormat | 'auto';
  runs: string[];
  /** Comma-separated; absent = DEFAULT_METRICS, less those deeper than either run. */
  metrics?: string;
  /** The runs' lists are whole: cutoffs deeper than the longest are scored, not refused (src/eval/run-depth.ts). */
  completeRuns?: boolean;
  allQrels: boolean;
  ignoreIdenticalIds: boolean;
  permutations: number;
  bootstrapSamples: number;
  seed: number;
  queries?: string;
  json: boolean;
}

interface CompareOutput {
  output: string;
  notes: string[];
  comparisons: MetricComparison[];
  lengthAnalysis?: LengthAnalysis;
  violations: InvariantViolation[];
}

/** Compare two run files on the same qrels; returns the text instead of printing it (testable). */
export async function runCompare(args: CompareArgs): Promise<CompareOutput> {
  if (args.runs.length !== 2) throw new UserError(`compare takes exactly two runs (--run A --run B), got ${args.runs.length}`);
  const requested = parseMetricList(args.metrics ?? DEFAULT_METRICS);
  const opts = {
    permutations: args.permutations,
    bootstrapSamples: args.bootstrapSamples,
    seed: args.seed,
  };
  const qrels = await readQrels(args.qrels, { format: args.qrelsFormat });
  const evalOpts = { metrics: requested, ignoreIdenticalIds: args.ignoreIdenticalIds, averageOverAllQrels: args.allQrels };
  const scored: RunFileEval[] = [];
  for (const run of args.runs) scored.push(await scoreRunFile(qrels, run, evalOpts));
  const fit = metricsForRuns(requested, scored.map((r, i) => ({ file: args.runs[i], maxHits: r.maxHits })), {
    requested: args.metrics !== undefined,
    complete: args.completeRuns ?? false,
    dropsSelfHits: args.ignoreIdenticalIds,
  });
  const metrics = fit.metrics;
  const results = scored.map((r) => onlyMetrics(r.result, metrics));
  const [a, b] = results;
  const comparisons = comparePaired(a, b, qrels, opts);
  holmAdjust(comparisons);

  let lengthAnalysis: LengthAnalysis | undefined;
  if (args.queries) {
    const texts = await readQueries(args.queries);
    const gains = new Map<string, number>();
    for (const [q, vb] of b.perQuery) {
      const va = a.perQuery.get(q);
      if (va) gains.set(q, vb[metrics[0]] - va[metrics[0]]);
    }
    lengthAnalysis = gainByQueryLength([...texts].map(([id, text]) => ({ id, text })), gains);
  }

  const violations = results.flatMap((r) => cutoffsOf(metrics).flatMap((k) => checkInvariants(qrels, r, k)));
  const notes = [
    ...coverageNotes(a, args.allQrels, 'A: '),
    ...coverageNotes(b, args.allQrels, 'B: '),
    ...fit.notes,
    ...(a.queriesScored !== b.queriesScored || comparisons[0].n !== a.queriesScored
      ? [`A and B scored different query sets: paired on the ${comparisons[0].n} queries both scored`]
      : []),
    ...violationNotes(violations),
  ];
  const output = args.json
    ? JSON.stringify({ qrels: args.qrels, runs: args.runs, options: { ...evalOpts, metrics, ...opts }, comparisons, lengthAnalysis, invariantViolations: violations }, null, 2) + '\n'
    : renderComparison(comparisons, { a: args.runs[0], b: args.runs[1] }) +
      (lengthAnalysis ? '\n' + renderLengthAnalysis(metrics[0], lengthAnalysis) : '');
  return { output, notes, comparisons, lengthAnalysis, violations };
}


export const compareCommand = defineCommand({
  command: 'compare',
  describe: 'Paired comparison of two runs: mean difference, randomization test, bootstrap CI, Holm correction, win/tie/loss',
  builder,
  handler: async (a) => {
    const out = await runCompare({
      qrels: a.qrels,
      qrelsFormat: a['qrels-format'],
      runs: a.run.map(String),
      metrics: a.metrics,
      completeRuns: a['complete-runs'],
      allQrels: a.c,
      ignoreIdenticalIds: a['ignore-identical-ids'],
      permutations: a.permutations,
      bootstrapSamples: a['bootstrap-samples'],
      seed: a.seed,
      queries: a.queries,
      json: a.json,
    });
    for (const n of out.notes) process.stderr.write(`${n}\n`);
    process.stdout.write(out.output);
    if (out.violations.length > 0) process.exitCode = 1;
  },
});

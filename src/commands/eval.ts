import type { Argv } from 'yargs';
import { scoreRunFile } from '../eval/evaluate-file.js';
import { onlyMetrics, type EvalResult } from '../eval/evaluate.js';
import { cutoffsOf, DEFAULT_METRICS, parseMetricList } from '../eval/eval-input.js';
import { checkInvariants, type InvariantViolation } from '../eval/invariants.js';
import { metricsForRuns } from '../eval/run-depth.js';
import { formatTrecEval } from '../eval/trec-eval-format.js';
import { readQrels, type QrelsFormat } from '../formats/qrels-file.js';
import { defineCommand } from './define-command.js';

const QRELS_FORMATS = ['auto', 'beir', 'trec'] as const;

/** Options shared by `eval` and `compare`: how to read qrels and which scoring conventions to apply. */
export function withScoringOptions(y: Argv) {
  return y
    .option('qrels', { type: 'string', demandOption: true, describe: 'Relevance judgments: BEIR qrels TSV (header skipped) or TREC qrels (qid iter docno rel)' })
    .option('qrels-format', { choices: QRELS_FORMATS, default: 'auto' as const, describe: 'Qrels format; auto = BEIR if the first line has 3 tab-separated columns, TREC if 4' })
    .option('metrics', {
      alias: 'm',
      type: 'string',
      defaultDescription: `${DEFAULT_METRICS}, less any measure deeper than a run (with a note)`,
      describe:
        'Comma-separated measures: trec_eval names (ndcg_cut.10, map_cut.10, recall.10, P.10, recip_rank.10) or NDCG@10, MAP@10, Recall@100, P@10, MRR@10. ' +
        'A measure whose cutoff is deeper than a run (no query holds that many hits) is an error: the run may have been cut there',
    })
    .option('complete-runs', {
      type: 'boolean',
      default: false,
      describe:
        'Every list in the run files is whole (the engine returned all it matched, e.g. a corpus smaller than the cutoff): score ' +
        'cutoffs deeper than the longest list instead of refusing them',
    })
    .option('c', {
      alias: 'all-qrels',
      type: 'boolean',
      default: false,
      describe: 'Average over every qrels query, a query missing from the run scoring 0 (trec_eval -c); default: queries in both run and qrels (BEIR)',
    })
    .option('ignore-identical-ids', {
      type: 'boolean',
      default: true,
      describe: 'Drop a retrieved doc whose id equals the query id, as BEIR does by default (matters for ArguAna, Quora); --no-ignore-identical-ids for trec_eval parity',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON (full double precision) instead of text' });
}

function builder(y: Argv) {
  return withScoringOptions(y)
    .option('run', { type: 'string', demandOption: true, describe: 'TREC run file: qid Q0 docno rank score tag (rank ignored; a repeated doc keeps its last score)' })
    .option('q', { alias: 'per-query', type: 'boolean', default: false, describe: 'Also print each query\'s values (trec_eval -q)' })
    .example('$0 eval --qrels ../shared/beir/scifact/qrels/test.tsv --run run.trec', 'Mean NDCG@10, MAP@10, Recall@10, P@10, MRR@10, Recall@100')
    .example('$0 eval --qrels qrels.txt --run run.trec -m ndcg_cut.10 -q -c --no-ignore-identical-ids', 'Same numbers as trec_eval -q -c -m ndcg_cut.10');
}

export interface EvalArgs {
  qrels: string;
  run: string;
  qrelsFormat: QrelsFormat | 'auto';
  /** Comma-separated; absent = DEFAULT_METRICS, less those deeper than the run. */
  metrics?: string;
  /** The run's lists are whole: cutoffs deeper than the longest are scored, not refused (src/eval/run-depth.ts). */
  completeRuns?: boolean;
  perQuery: boolean;
  allQrels: boolean;
  ignoreIdenticalIds: boolean;
  json: boolean;
}

interface EvalOutput {
  /** What goes to stdout: trec_eval text or JSON. */
  output: string;
  /** Counts and warnings for stderr (invariant violations included). */
  notes: string[];
  result: EvalResult;
  violations: InvariantViolation[];
}

/** Lines for stderr describing what was averaged and what was dropped, so nothing is silent. */
export function coverageNotes(result: EvalResult, allQrels: boolean, label = ''): string[] {
  const notes = [`${label}averaged ${result.queriesScored} queries`];
  if (result.qrelsQueriesMissingFromRun > 0) {
    notes.push(`${label}${result.qrelsQueriesMissingFromRun} qrels queries are not in the run: ${allQrels ? 'scored 0 (-c)' : 'skipped (use -c to score them 0)'}`);
  }
  if (result.runQueriesWithoutQrels > 0) {
    const suspicious = result.runQueriesWithoutQrels > result.queriesScored ? ' (most of the run: wrong qrels file or split?)' : '';
    notes.push(`${label}${result.runQueriesWithoutQrels} run queries have no qrels: skipped${suspicious}`);
  }
  if (result.selfHitsRemoved > 0) notes.push(`${label}removed the self hit (doc id = query id) of ${result.selfHitsRemoved} queries`);
  return notes;
}

export function violationNotes(violations: InvariantViolation[]): string[] {
  return violations.map((v) => `INVARIANT VIOLATED (a scoring bug): query ${v.queryId}: ${v.rule}: ${v.detail}`);
}

/** Score a run file; returns the text instead of printing it, so tests need not spawn a process. */
export async function runEval(args: EvalArgs): Promise<EvalOutput> {
  const requested = parseMetricList(args.metrics ?? DEFAULT_METRICS);
  const qrels = await readQrels(args.qrels, { format: args.qrelsFormat });
  const scored = await scoreRunFile(qrels, args.run, {
    metrics: requested,
    ignoreIdenticalIds: args.ignoreIdenticalIds,
    averageOverAllQrels: args.allQrels,
  });
  const fit = metricsForRuns(requested, [{ file: args.run, maxHits: scored.maxHits }], {
    requested: args.metrics !== undefined,
    complete: args.completeRuns ?? false,
    dropsSelfHits: args.ignoreIdenticalIds,
  });
  const result = onlyMetrics(scored.result, fit.metrics);
  const violations = cutoffsOf(fit.metrics).flatMap((k) => checkInvariants(qrels, result, k));
  const notes = [...coverageNotes(result, args.allQrels), ...fit.notes, ...violationNotes(violations)];
  const output = args.json
    ? JSON.stringify(
        {
          qrels: args.qrels,
          run: args.run,
          options: { ignoreIdenticalIds: args.ignoreIdenticalIds, averageOverAllQrels: args.allQrels },
          metrics: result.metrics,
          mean: result.mean,
          queriesScored: result.queriesScored,
          qrelsQueriesMissingFromRun: result.qrelsQueriesMissingFromRun,
          runQueriesWithoutQrels: result.runQueriesWithoutQrels,
          selfHitsRemoved: result.selfHitsRemoved,
          invariantViolations: violations,
          ...(args.perQuery ? { perQuery: Object.fromEntries(result.perQuery) } : {}),
        },
        null,
        2,
      ) + '\n'
    : formatTrecEval(result, args.perQuery);
  return { output, notes, result, violations };
}


export const evalCommand = defineCommand({
  command: 'eval',
  describe: 'Score a TREC run file against qrels exactly as BEIR / pytrec_eval / trec_eval do',
  builder,
  handler: async (a) => {
    const out = await runEval({
      qrels: a.qrels,
      run: a.run,
      qrelsFormat: a['qrels-format'],
      metrics: a.metrics,
      completeRuns: a['complete-runs'],
      perQuery: a.q,
      allQrels: a.c,
      ignoreIdenticalIds: a['ignore-identical-ids'],
      json: a.json,
    });
    for (const n of out.notes) process.stderr.write(`${n}\n`);
    process.stdout.write(out.output);
    if (out.violations.length > 0) process.exitCode = 1;
  },
});

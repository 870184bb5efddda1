import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_SEED } from '../eval/compare.js';
import { checkEquivalence } from '../eval/equivalence.js';
import { DEFAULT_BOUNDS } from '../eval/equivalence-rule.js';
import { parseMetricName } from '../eval/metrics.js';
import { checkPositiveIntegers } from '../option-checks.js';
import { renderEquivalence } from '../report/equivalence-report.js';
import { readResults } from '../results/read-results.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return y
    .positional('baseline', { type: 'string', demandOption: true, describe: 'results folder (or its results.json) of the reference run, e.g. --dtype fp32' })
    .positional('candidate', { type: 'string', demandOption: true, describe: 'results folder (or results.json) of the same bench with the faster encoding, e.g. --dtype q8' })
    .option('metric', { type: 'string', default: 'NDCG@10', describe: 'Metric the verdict is on (NDCG@10, MAP@10, Recall@10 or trec_eval names)' })
    .option('ci-bound', { type: 'number', default: DEFAULT_BOUNDS.ciBound, describe: 'PASS needs the paired bootstrap 95% interval of Δ inside ±this' })
    .option('mean-bound', { type: 'number', default: DEFAULT_BOUNDS.meanBound, describe: 'PASS needs |Δ mean| at most this' })
    .option('bootstrap-samples', { type: 'number', default: 10_000, describe: 'Resamples for the paired bootstrap 95% interval' })
    .option('permutations', { type: 'number', default: 10_000, describe: 'Random sign flips for the p-value shown beside it (not part of the verdict)' })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'PRNG seed: the same seed reproduces the intervals exactly' })
    .check((a) => checkPositiveIntegers(a, ['bootstrap-samples', 'permutations']))
    .check((a) => {
      for (const k of ['ci-bound', 'mean-bound'] as const) {
        if (!(a[k] > 0)) throw new Error(`--${k} must be a positive number, got ${a[k]}`);
      }
      return true;
    })
    .example('$0 gate results/<fp32 run> results/<q8 run>', 'May the q8 run be reported in place of fp32? Exit code 1 on FAIL')
    .example('$0 gate A B --metric MAP@10 --ci-bound 0.01', 'The same check on another metric, with a looser interval bound');
}

/** A results folder or its results.json. */
async function resultsPath(p: string): Promise<string> {
  return (await stat(p).catch(() => null))?.isDirectory() ? join(p, 'results.json') : p;
}

export const gateCommand = defineCommand({
  command: 'gate <baseline> <candidate>',
  describe: 'Equivalence gate: does a faster encoding (another --dtype or weights file) leave every dataset\'s score unchanged? PASS/FAIL per dataset, exit code 1 on FAIL',
  builder,
  handler: async (a) => {
    const bounds = { ciBound: a['ci-bound'], meanBound: a['mean-bound'] };
    const [base, cand] = [await readResults(await resultsPath(a.baseline)), await readResults(await resultsPath(a.candidate))];
    const rows = checkEquivalence(base, cand, parseMetricName(a.metric), bounds, { permutations: a.permutations, bootstrapSamples: a['bootstrap-samples'], seed: a.seed });
    process.stdout.write(renderEquivalence(rows, bounds));
    if (rows.some((r) => !r.pass)) process.exitCode = 1;
  },
});

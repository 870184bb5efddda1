import type { Argv } from 'yargs';
import { measureDataset } from '../datasets/measure.js';
import { resolveDataset } from '../datasets/source.js';
import { DEFAULT_BIAS_RULE, validateBiasRule } from '../datasets/stats.js';
import { renderStats, STATS_FORMATS } from '../datasets/stats-report.js';
import { datasetOptionsFrom, withDatasetOptions } from './dataset-options.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return withDatasetOptions(y)
    .option('format', { choices: STATS_FORMATS, default: 'table' as const, describe: 'Output: terminal table, markdown, or JSON' })
    .option('poor-below', { type: 'number', default: DEFAULT_BIAS_RULE.poorBelow, describe: 'Bias rule: POOR when passage/query length ratio r is below this' })
    .option('good-from', { type: 'number', default: DEFAULT_BIAS_RULE.goodFrom, describe: 'Bias rule: GOOD (or EXCELLENT) when r is at least this; FAIR in between' })
    .option('question-share', {
      type: 'number',
      default: DEFAULT_BIAS_RULE.questionShareForExcellent,
      describe: 'Bias rule: EXCELLENT when r >= --good-from and at least this share of queries is question-like',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'No download/extraction progress on stderr' })
    .example('$0 stats --data-dir ../shared/beir --dataset seed', 'The seed article\'s table from local BEIR folders')
    .example('$0 stats --dataset scifact,nfcorpus --format markdown', 'Download if needed, print markdown')
    .example('$0 stats --dataset mine=./my-data', 'Your own BEIR folder: its lengths, r, q and label, compared with nothing');
}


export const statsCommand = defineCommand({
  command: 'stats',
  describe: 'Print query/passage length statistics and the expected-bias label of BEIR datasets or your own BEIR folders (the seed article\'s table)',
  builder,
  handler: async (a) => {
    const rule = validateBiasRule({ poorBelow: a['poor-below'], goodFrom: a['good-from'], questionShareForExcellent: a['question-share'] });
    const ds = datasetOptionsFrom(a);
    const rows = [];
    const opts = { dataDir: ds.dataDir, cacheDir: ds.cacheDir, mirror: ds.mirror, quiet: a.quiet };
    const sources = [];
    for (const given of ds.datasets) sources.push(await resolveDataset(given, opts));
    for (const source of sources) rows.push((await measureDataset(source, ds.split, rule)).stats);
    process.stdout.write(`${renderStats(rows, rule, a.format)}\n`);
  },
});

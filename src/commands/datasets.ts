import Table from 'cli-table3';
import type { CommandModule } from 'yargs';
import { DATASETS, SEED_DATASETS } from '../datasets/registry.js';
import { COMPACT } from '../datasets/stats-report.js';

/** The registry as a terminal table; the seed article's datasets are marked. */
function registryTable(): string {
  const table = new Table({
    head: ['Name', 'Dataset', 'Splits', 'Test Queries', 'Corpus', 'Avg Rel Docs/Query', 'Zip md5'],
    style: { head: [], border: [] },
    chars: COMPACT,
  });
  for (const d of DATASETS) {
    table.push([
      SEED_DATASETS.includes(d.name) ? `${d.name} (seed)` : d.name,
      d.displayName,
      d.splits.join(' '),
      { content: d.testQueries.toLocaleString('en-US'), hAlign: 'right' },
      { content: d.corpusDocs.toLocaleString('en-US'), hAlign: 'right' },
      { content: d.avgRelDocsPerQuery.toFixed(1), hAlign: 'right' },
      d.md5,
    ]);
  }
  return table.toString();
}

export const datasetsCommand: CommandModule = {
  command: 'datasets',
  describe: 'List the BEIR datasets this tool can download (name, splits, sizes, md5)',
  handler: () => {
    process.stdout.write(`${registryTable()}\n"seed" = ${SEED_DATASETS.join(', ')} (the seed article's four datasets).\n`);
  },
};

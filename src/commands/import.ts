import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { importTable } from '../references/import-table.js';
import { checkResults } from '../results/read-results.js';
import { withDatasetSourceOptions } from './dataset-options.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return withDatasetSourceOptions(
    y.positional('table', {
      type: 'string',
      demandOption: true,
      describe: 'YAML transcription of a published table: source, decimals, systems, comparisons, and per dataset its passages, queries and means (docs/REPORTS.md#imported-tables)',
    }),
  )
    .option('out', { type: 'string', default: 'results', describe: 'Folder receiving <out>/imported-<table name>/results.json (replaced when it exists)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No download/extraction progress on stderr' })
    .example('$0 import references/opensearch-asymmetric-2026-01.yaml --data-dir ../shared/beir', 'The seed article\'s table as results/imported-opensearch-asymmetric-2026-01/results.json')
    .example('$0 report results/<run> results/imported-opensearch-asymmetric-2026-01', 'Its columns beside a measured run, checked against the published scores');
}

export const importCommand = defineCommand({
  command: 'import <table>',
  describe: 'Turn a published results table (means only) into a results.json that report can combine and check against published scores',
  builder,
  handler: async (a) => {
    let text: string;
    try {
      text = await readFile(a.table, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${a.table}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const results = await importTable({ file: a.table, text, outDir: a.out, dataDir: a['data-dir'], cacheDir: a['cache-dir'], mirror: a.mirror, quiet: a.quiet });
    // The file must be what every reader accepts.
    await checkResults(JSON.parse(JSON.stringify(results)), a.table);
    const target = join(a.out, results.runId, 'results.json');
    await writeFileAtomic(target, `${JSON.stringify(results, null, 2)}\n`);
    const violations = results.datasets.flatMap((d) => d.invariantViolations.map((v) => `${d.displayName} ${v.system}: ${v.rule} (${v.detail})`));
    process.stdout.write(
      [
        `${target}: ${results.systems.length} systems, ${results.datasets.map((d) => d.displayName).join(', ')}, means with ${results.imported!.decimals} decimals.`,
        ...(violations.length ? [`${violations.length} sanity invariant(s) broken by the printed means:`, ...violations.map((v) => `  ${v}`)] : ['The printed means break no sanity invariant.']),
        '',
      ].join('\n'),
    );
  },
});

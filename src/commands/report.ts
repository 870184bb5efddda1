import { join } from 'node:path';
import type { Argv } from 'yargs';
import { pathState } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { combineResults } from '../report/combine.js';
import { DEFAULT_EXTRA_COLUMNS, EXTRA_COLUMNS, type ExtraColumn } from '../report/comparison-rows.js';
import { renderReport, REPORT_FORMATS, reportFiles, writeReportFolder } from '../report/report-files.js';
import { readResults, resultsPath } from '../results/read-results.js';
import { defineCommand } from './define-command.js';
import { evidenceAppendix } from '../inspect/appendix.js';
import { checkIntegers } from '../option-checks.js';
import { evidenceOptions, withEvidenceOptions } from './evidence-options.js';

function builder(y: Argv) {
  return withEvidenceOptions(y, 'inspect-')
    .positional('results', {
      type: 'string',
      array: true,
      demandOption: true,
      default: undefined,
      describe: 'results.json files, or results/<run-id>/ folders holding one. Several are combined into one table (see docs/REPORTS.md)',
    })
    .option('format', {
      choices: REPORT_FORMATS,
      default: 'md' as const,
      describe:
        'md = GitHub-flavoured markdown; html = one self-contained page shaped like the article\'s table, with charts (light and dark); ' +
        'json = the table\'s numbers at full precision; csv = the table, one row per dataset and metric',
    })
    .option('out', {
      type: 'string',
      describe:
        'Write DIR/report.<format> and every chart as a standalone SVG into the folder DIR (created whole, or replacing an earlier report folder; ' +
        'if another process writes DIR meanwhile, this one stops and writes nothing) instead of printing the report',
    })
    .option('columns', {
      type: 'string',
      default: DEFAULT_EXTRA_COLUMNS.join(','),
      describe: 'Statistics beside each change column, comma-separated: ci = 95% CI of the difference, p = Holm-adjusted p-value, wtl = wins/ties/losses; none for the article\'s bare table',
    })
    .option('allow-different-inputs', {
      type: 'boolean',
      default: false,
      describe: 'Combine runs whose inputs differ (dataset file hashes, split, passage or query counts, k, self-hit rule); the differences are listed in the notes',
    })
    .option('inspect', {
      type: 'number',
      describe:
        'Add the per-query evidence (as `beir-bench inspect` shows it) to md and html reports: the N largest losses and gains of each comparison, ' +
        'both systems\' hits marked with the qrels, read from the run files and the dataset folders the runs recorded',
    })
    .example('$0 report results/20261201-1200-scifact-e5-small-v2', 'The run\'s table as markdown on stdout')
    .example('$0 report results/<scifact-run> results/<nfcorpus-run> --format html --out report/', 'Both datasets in one page, plus each chart as an SVG')
    .check((a) => checkIntegers(a, ['inspect'], 0))
    .example('$0 report results/<arguana-run> --format html --out report/ --inspect 5', 'The table, and each comparison\'s 5 largest losses and gains query by query')
    .example('$0 report embedded/results.json opensearch/results.json --columns none', 'Embedded and OpenSearch runs of the same systems side by side');
}

/** `none`, or a comma-separated subset of EXTRA_COLUMNS. */
export function parseExtraColumns(value: string): ExtraColumn[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return [];
  for (const i of items) {
    if (!(EXTRA_COLUMNS as readonly string[]).includes(i)) throw new UserError(`--columns: unknown column "${i}"; expected none or a list of ${EXTRA_COLUMNS.join(', ')}`);
  }
  return [...new Set(items as ExtraColumn[])];
}

export const reportCommand = defineCommand({
  command: 'report <results..>',
  describe: 'Render results.json files as one report: the article\'s table (markdown, HTML, JSON, CSV) and charts',
  builder,
  handler: async (a) => {
    const extras = parseExtraColumns(a.columns);
    const seen = a.out === undefined ? null : await pathState(a.out);
    const inputs = [];
    for (const arg of a.results) {
      const file = await resultsPath(arg);
      inputs.push({ results: await readResults(file), source: file });
    }
    const model = combineResults(inputs, { allowDifferentInputs: a.allowDifferentInputs });
    const asked = a.inspect !== undefined || a.inspectQuery !== undefined;
    if (asked && a.format !== 'md' && a.format !== 'html') throw new UserError(`--inspect adds a section to md and html reports, not ${a.format}: for JSON use beir-bench inspect --format json`);
    const appendix = asked ? await evidenceAppendix(model, evidenceOptions({ ...a, query: a.inspectQuery, baseline: a.inspectBaseline, system: a.inspectSystem }, a.inspect ?? 0), a.inspectSnippet) : undefined;
    if (a.out === undefined) {
      process.stdout.write(await renderReport(model, a.format, { extras, appendix }));
      return;
    }
    const files = await reportFiles(model, [a.format], extras, appendix);
    await writeReportFolder(a.out, files, seen);
    process.stderr.write(`Report: ${join(a.out, `report.${a.format}`)} and ${files.size - 1} chart SVGs\n`);
  },
});

import type { Argv } from 'yargs';
import { writeFileAtomic } from '../atomic-file.js';
import { gatherEvidence, type InspectOptions } from '../inspect/gather.js';
import { renderMarkdown } from '../inspect/markdown.js';
import { renderTerminal } from '../inspect/terminal.js';
import { DEFAULT_SNIPPET } from '../inspect/words.js';
import { combineResults } from '../report/combine.js';
import { readResults, resultsPath } from '../results/read-results.js';
import { checkIntegers, checkPositiveIntegers } from '../option-checks.js';
import { defineCommand } from './define-command.js';
import { evidenceOptions, idList, withEvidenceOptions } from './evidence-options.js';

const FORMATS = ['terminal', 'md', 'json'] as const;

function builder(y: Argv) {
  return withEvidenceOptions(
    y
      .positional('results', {
        type: 'string',
        array: true,
        demandOption: true,
        default: undefined,
        describe: 'results.json files, or results/<run-id>/ folders holding one and its runs/',
      })
      .option('top', { type: 'number', default: 5, describe: 'Largest losses and largest gains shown per comparison, each (0: only --query)' }),
    '',
  )
    .option('metric', { type: 'string', describe: 'Measure losses and gains are ranked by, e.g. Recall@10 (default: the run\'s first, NDCG@k)' })
    .option('k', { type: 'number', describe: 'Hits shown per system (default: the run\'s k)' })
    .option('dataset', { type: 'string', array: true, describe: 'Datasets of the results to inspect (default: each)' })
    .option('format', {
      choices: FORMATS,
      default: 'terminal' as const,
      describe: 'terminal = tables for a console; md = GitHub markdown, one block per query, for a blog post; json = everything shown, passages in full',
    })
    .option('out', { type: 'string', describe: 'Write to this file (whole or not at all) instead of stdout' })
    .check((a) => checkPositiveIntegers(a, ['k', 'snippet']) && checkIntegers(a, ['top'], 0))
    .example('$0 inspect results/<arguana-run>', 'The 5 largest losses and gains of each comparison, both systems\' top 10 marked with the qrels')
    .example('$0 inspect results/<run> --query test-economy-xyz --top 0 --format md', 'One query as a markdown block for a blog post');
}

export const inspectCommand = defineCommand({
  command: 'inspect <results..>',
  describe: 'Per-query evidence: the queries a system loses and wins most against its baseline, both systems\' hits marked with the qrels',
  builder,
  handler: async (a) => {
    const inputs = [];
    for (const arg of a.results) {
      const file = await resultsPath(arg);
      inputs.push({ results: await readResults(file), source: file });
    }
    const model = await gatherEvidence(combineResults(inputs), {
      ...evidenceOptions(a, a.top),
      k: a.k,
      metric: a.metric,
      datasets: a.dataset === undefined ? undefined : idList(a.dataset),
    });
    const text =
      a.format === 'json'
        ? `${JSON.stringify(model, null, 2)}\n`
        : a.format === 'md'
          ? renderMarkdown(model, a.snippet ?? DEFAULT_SNIPPET.md)
          : renderTerminal(model, { width: process.stdout.columns ?? 160, snippet: a.snippet ?? DEFAULT_SNIPPET.terminal });
    if (a.out === undefined) process.stdout.write(text);
    else await writeFileAtomic(a.out, text);
  },
});

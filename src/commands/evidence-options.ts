import type { Argv } from 'yargs';
import type { InspectOptions } from '../inspect/gather.js';
import { DEFAULT_SNIPPET } from '../inspect/words.js';

/** The options `inspect` and `report --inspect` share: which queries, which comparison, where the data is. */
export function withEvidenceOptions<T>(y: Argv<T>, prefix: '' | 'inspect-') {
  return y
    .option(`${prefix}query`, {
      type: 'string',
      array: true,
      describe: 'Also show these query ids (comma-separated or repeated), whatever their change',
    })
    .option(`${prefix}baseline`, { type: 'string', describe: 'A of the comparison (a system id of the results); alone, keeps the recorded comparisons against it' })
    .option(`${prefix}system`, { type: 'string', describe: 'B of the comparison; with --baseline any two systems that ran the dataset, alone the recorded comparisons of B' })
    .option('data-dir', {
      type: 'string',
      describe: 'Folder holding <dataset>/ to read instead of the dataset folder results.json records (the data moved); its files must be the ones the run read',
    })
    .option(`${prefix}snippet`, {
      type: 'number',
      describe: `Characters of each passage shown (default ${DEFAULT_SNIPPET.terminal} on a terminal, ${DEFAULT_SNIPPET.md} in markdown, ${DEFAULT_SNIPPET.html} in HTML, which opens to the full text)`,
    });
}

/** Comma-separated or repeated ids as one list. */
export const idList = (v: readonly (string | number)[] | undefined): string[] => (v ?? []).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);

/** The evidence options as gatherEvidence takes them. */
export function evidenceOptions(a: { query?: (string | number)[]; baseline?: string; system?: string; dataDir?: string }, top: number): InspectOptions {
  return { top, queries: idList(a.query), baseline: a.baseline, system: a.system, dataDir: a.dataDir };
}


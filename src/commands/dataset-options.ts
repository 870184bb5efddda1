import type { Argv } from 'yargs';
import { OFFICIAL_BASE_URL, SEED_DATASETS } from '../datasets/registry.js';
import { expandDatasetSpecs } from '../datasets/source.js';

/** Where BEIR datasets come from: a local folder, or the download cache and its source (bench, stats, regress). */
export function withDatasetSourceOptions<T>(y: Argv<T>) {
  return y
    .option('data-dir', {
      type: 'string',
      describe:
        'Already-extracted BEIR folder holding <dataset>/corpus.jsonl, queries.jsonl, qrels/; used as-is, nothing is downloaded ' +
        '(a registry name found here is checked against the registry\'s counts and content digests before its facts apply)',
    })
    .option('cache-dir', {
      type: 'string',
      default: 'datasets',
      describe: 'Download cache: <cache-dir>/<dataset>.zip and the extracted <cache-dir>/<dataset>/ (used when --data-dir is not given)',
    })
    .option('mirror', {
      type: 'string',
      describe: `Base URL replacing the official ${OFFICIAL_BASE_URL} (must serve <dataset>.zip; md5 is still checked)`,
    });
}

/** Options shared by every command that reads BEIR datasets named on the command line (stats, download, bench). */
export function withDatasetOptions<T>(y: Argv<T>, opts: { required?: boolean } = {}) {
  const named = y.option('dataset', {
    type: 'string',
    array: true,
    // Commands that cost minutes per dataset (bench) make the user name them; cheap ones default to the seed four.
    ...(opts.required ? { demandOption: 'name the dataset(s), e.g. --dataset scifact (or --dataset seed)' } : { default: ['seed'] }),
    describe:
      `Dataset(s): a registry name ("seed" = ${SEED_DATASETS.join(', ')}; see the "datasets" command), a path to your own BEIR folder ` +
      '(./my-data: corpus.jsonl, queries.jsonl, qrels/<split>.tsv, JSONL plain or .gz), or NAME=PATH to name it in tables; ' +
      'repeat the option or separate with commas (README "Your own data")',
  });
  return withDatasetSourceOptions(named)
    .option('split', { type: 'string', default: 'test', describe: 'qrels split to use (qrels/<split>.tsv)' });
}

interface DatasetOptions {
  /** Dataset specs as given (registry names, paths, NAME=PATH: src/datasets/source.ts), `seed` expanded, duplicates dropped. */
  datasets: string[];
  split: string;
  dataDir?: string;
  cacheDir: string;
  mirror?: string;
}

export function datasetOptionsFrom(a: {
  dataset: string[];
  split: string;
  'data-dir'?: string;
  'cache-dir': string;
  mirror?: string;
}): DatasetOptions {
  return {
    datasets: expandDatasetSpecs(a.dataset),
    split: a.split,
    dataDir: a['data-dir'],
    cacheDir: a['cache-dir'],
    mirror: a.mirror,
  };
}

import type { Argv } from 'yargs';
import { UserError } from '../errors.js';
import { resolveDataset } from '../datasets/source.js';
import { datasetOptionsFrom, withDatasetOptions } from './dataset-options.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return withDatasetOptions(y)
    .option('quiet', { type: 'boolean', default: false, describe: 'No download/extraction progress on stderr' })
    .example('$0 download --dataset seed', 'Fetch NFCorpus, TREC-COVID, SciFact and ArguAna into ./datasets')
    .example('$0 download --dataset fiqa --mirror https://example.org/beir/', 'Fetch from a mirror (md5 still checked)');
}


export const downloadCommand = defineCommand({
  command: 'download',
  describe: 'Download, md5-check and extract BEIR datasets into the cache (--cache-dir); already cached ones are kept',
  builder,
  handler: async (a) => {
    const ds = datasetOptionsFrom(a);
    if (ds.dataDir !== undefined) throw new UserError('download fills --cache-dir; --data-dir names folders that are used as-is and is not accepted here');
    for (const given of ds.datasets) {
      const source = await resolveDataset(given, { cacheDir: ds.cacheDir, mirror: ds.mirror, quiet: a.quiet });
      if (source.origin !== 'download') throw new UserError(`--dataset ${given} is a folder of your own: download fetches registry datasets only (see the "datasets" command)`);
      process.stdout.write(`${source.name}: ${source.folder}\n`);
    }
  },
});

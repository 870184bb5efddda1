import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { clearCache, filterCache, listCache, type CacheFolder } from '../embed/cache-inventory.js';
import { getModel } from '../models/registry.js';
import { withEmbedCacheDirOption } from './model-options.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return withEmbedCacheDirOption(y)
    .option('clear', { type: 'boolean', default: false, describe: 'Delete cached vectors (all, or those matching --model / --dataset)' })
    .option('model', { type: 'string', describe: 'Only this model (registry id or ONNX repo)' })
    .option('dataset', { type: 'string', describe: 'Only this dataset (cache namespace)' })
    .example('$0 cache', 'Show what is cached, per dataset and model')
    .example('$0 cache --clear --model intfloat/e5-small-v2 --dataset scifact', 'Forget one model\'s SciFact vectors');
}


const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function render(folders: CacheFolder[]): string {
  const table = new Table({ head: ['dataset', 'model', 'dtype', 'weights sha256 / probes', 'entries', 'size'] });
  for (const f of folders) {
    table.push([f.namespace, f.model, f.dtype, f.source, Number.isNaN(f.entries) ? '?' : f.entries, mb(f.bytes)]);
  }
  return table.toString();
}

export const cacheCommand = defineCommand({
  command: 'cache',
  describe: 'Show the embedding cache (entries and size per dataset and model), or clear it with --clear',
  builder,
  handler: async (a) => {
    const dir = a['embed-cache-dir'];
    // Resolve to the registry id so the ONNX repo name or another spelling matches the cached folders.
    const model = a.model === undefined ? undefined : getModel(a.model).id;
    if (a.clear) {
      const removed = await clearCache(dir, { model, dataset: a.dataset });
      const freed = removed.reduce((n, f) => n + f.bytes, 0);
      process.stdout.write(`Removed ${removed.length} cache folder(s), ${mb(freed)}, from ${dir}\n`);
      return;
    }
    const folders = filterCache(await listCache(dir), { model, dataset: a.dataset });
    if (folders.length === 0) {
      process.stdout.write(`Nothing cached in ${dir}\n`);
      return;
    }
    const total = folders.reduce((n, f) => n + f.bytes, 0);
    process.stdout.write(`${render(folders)}\nEmbedding cache ${dir}: ${folders.length} folder(s), ${mb(total)}\n`);
  },
});

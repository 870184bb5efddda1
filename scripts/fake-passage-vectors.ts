/**
 * Fill a throwaway embedding cache with deterministic stand-in vectors for every passage of a (synthetic) corpus,
 * under the real model's cache key, so `bench` can run a dense system over millions of docs without encoding them
 * (days on 2 cores): the passages are served from this cache, block by block, as real vectors would be; only the
 * queries are encoded by the real model. The vectors are unit vectors seeded by each passage text's sha256, not
 * embeddings: the metrics of such a run mean nothing, its memory and time do (docs/PERFORMANCE.md, "Large corpora").
 *
 * It writes through the same streamed path a run uses (`embedCorpus`), to a cache folder that must be given and may
 * not be the default one (these vectors must never be served for real text).
 *
 * Usage: npx tsx scripts/fake-passage-vectors.ts --data-dir DIR --dataset NAME --embed-cache-dir TMP
 *          [--models-dir ~/.cache/beir-bench/models] [--model intfloat/e5-small-v2] [--prefix "passage: "] [--dtype fp32]
 *   then: npx tsx src/cli.ts bench --data-dir DIR --dataset NAME --arms asymmetric --embed-cache-dir TMP ...
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadDataset } from '../src/datasets/loaders.js';
import { embedCorpus, defaultCacheDir } from '../src/embed/cache.js';
import { loadEncoder, type Encoder } from '../src/embed/encoder.js';
import { modelsDirFrom } from '../src/embed/model-source.js';
import { Prng } from '../src/eval/prng.js';
import { passageText } from '../src/models/input-text.js';
import { getModel } from '../src/models/registry.js';
import { fillUnitVector } from './lib/unit-vectors.js';

const args = await yargs(hideBin(process.argv))
  .option('data-dir', { type: 'string', demandOption: true, describe: 'BEIR folder holding <dataset>/' })
  .option('dataset', { type: 'string', demandOption: true, describe: 'Dataset (folder) name' })
  .option('embed-cache-dir', { type: 'string', demandOption: true, describe: 'Throwaway embedding cache to fill (not the default one)' })
  .option('models-dir', { type: 'string', describe: 'Provisioned models (the real encoder gives the cache key); default as for bench' })
  .option('model', { type: 'string', default: 'intfloat/e5-small-v2' })
  .option('prefix', { type: 'string', describe: 'Passage prefix (default: the model\'s asymmetric one, as --arms asymmetric sends)' })
  .option('dtype', { choices: ['fp32', 'q8'] as const, default: 'fp32' as const })
  .strict()
  .parseAsync();

if (resolve(args['embed-cache-dir']) === resolve(defaultCacheDir())) {
  console.error('fake-passage-vectors: refusing to write stand-in vectors into the default embedding cache; give a throwaway --embed-cache-dir');
  process.exit(2);
}

/** The real encoder's identity (so the cache key is the one a run computes), with stand-in vectors. */
function standIn(real: Encoder): Encoder {
  const dim = real.info.dimension;
  return {
    info: real.info,
    countTokens: (texts) => real.countTokens(texts),
    dispose: async () => {},
    async encode(texts, opts) {
      const data = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => fillUnitVector(new Prng(createHash('sha256').update(t).digest().readUInt32LE(0)), data, i * dim, dim));
      opts?.onProgress?.(texts.length);
      return { data, rows: texts.length, dim };
    },
  };
}

const model = getModel(args.model);
const prefix = args.prefix ?? model.passagePrefix;
const ds = await loadDataset(args.dataset, resolve(args['data-dir'], args.dataset), { split: 'test' });
const real = await loadEncoder({ model, dtype: args.dtype, modelsDir: modelsDirFrom(args['models-dir']) });
try {
  const texts = async function* () {
    for await (const doc of ds.corpus.stream()) yield passageText(doc, prefix);
  };
  const out = await embedCorpus({
    encoder: standIn(real),
    texts,
    count: ds.corpus.size,
    cacheDir: args['embed-cache-dir'],
    namespace: ds.name,
    label: `${ds.name} stand-in passage vectors`,
  });
  console.log(`${ds.corpus.size.toLocaleString('en-US')} passages: ${out.encoded} stand-in vectors written, ${out.fromCache} already there (${out.seconds.toFixed(0)} s)`);
} finally {
  await real.dispose();
}

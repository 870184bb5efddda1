import type { Argv } from 'yargs';
import { defaultCacheDir } from '../embed/cache.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS } from '../embed/encoder.js';
import { UserError } from '../errors.js';
import { getModel } from '../models/registry.js';
import type { Dtype, ModelSpec } from '../models/spec.js';

export const DEFAULT_MODEL = 'intfloat/e5-small-v2';

/**
 * Where the embedding cache lives. Named --embed-cache-dir because --cache-dir already means the dataset download
 * cache (dataset-options.ts) and both reach `bench`.
 */
export function withEmbedCacheDirOption<T>(y: Argv<T>) {
  return y.option('embed-cache-dir', {
    type: 'string',
    default: defaultCacheDir(),
    defaultDescription: '$BEIR_BENCH_CACHE or ~/.cache/beir-bench/embeddings',
    describe: 'Embedding cache folder (content-addressed vectors, shared by every command and backend)',
  });
}

/** Options of every command that embeds text (bench, and scripts reusing them). */
export function withModelOptions<T>(y: Argv<T>) {
  return withEmbedCacheDirOption(y)
    .option('model', {
      type: 'string',
      default: DEFAULT_MODEL,
      describe: 'Embedding model: registry id or its ONNX repo (see the "models" command)',
    })
    .option('models-dir', {
      type: 'string',
      default: process.env.BEIR_BENCH_MODELS_DIR || undefined,
      defaultDescription: '$BEIR_BENCH_MODELS_DIR, else the Hugging Face hub',
      describe: 'Local folder with <model id>/ in transformers.js layout (offline use; see scripts/provision-models.sh)',
    })
    .option('dtype', { choices: ['fp32', 'q8'] as const, default: 'fp32' as Dtype, describe: 'Weights: fp32 (onnx/model.onnx) or int8 (onnx/model_quantized.onnx)' })
    .option('threads', { type: 'number', defaultDescription: 'all cores', describe: 'onnxruntime intra-op threads' })
    .option('batch-size', { type: 'number', default: DEFAULT_BATCH_SIZE, describe: 'Most texts per forward pass (texts are length-sorted first)' })
    .option('batch-tokens', {
      type: 'number',
      default: DEFAULT_BATCH_TOKENS,
      describe: 'Most padded tokens per forward pass (small passes stay in CPU cache; a longer text still gets a pass of its own)',
    })
    .option('cache', { type: 'boolean', default: true, describe: 'Use the embedding cache; --no-cache encodes everything and stores nothing' })
    .check((a) => {
      for (const opt of ['threads', 'batch-size', 'batch-tokens'] as const) {
        const v = a[opt];
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserError(`--${opt} must be a positive integer (got ${v})`);
      }
      return true;
    });
}

export interface ModelArgs {
  model: string;
  'models-dir'?: string;
  dtype: Dtype;
  threads?: number;
  'batch-size': number;
  'batch-tokens': number;
  'embed-cache-dir': string;
  cache: boolean;
}

export interface ModelOptions {
  model: ModelSpec;
  dtype: Dtype;
  modelsDir?: string;
  threads?: number;
  batchSize: number;
  batchTokens: number;
  /** null = --no-cache. */
  cacheDir: string | null;
}

export function modelOptionsFrom(a: ModelArgs): ModelOptions {
  return {
    model: getModel(a.model),
    dtype: a.dtype,
    modelsDir: a['models-dir'],
    threads: a.threads,
    batchSize: a['batch-size'],
    batchTokens: a['batch-tokens'],
    cacheDir: a.cache ? a['embed-cache-dir'] : null,
  };
}

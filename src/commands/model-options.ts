import type { Argv } from 'yargs';
import { defaultCacheDir } from '../embed/cache.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS, type Device } from '../embed/encoder.js';
import { DTYPES, modelsDirFrom, type ModelsDir } from '../embed/model-source.js';
import { gateSummary } from '../eval/gate-record.js';
import { resolveModel } from '../models/model-settings.js';
import { checkPositiveIntegers } from '../option-checks.js';
import { DTYPE_NAMES, type Dtype, type ModelSpec } from '../models/spec.js';

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

/** How encoders run, whichever the model: where models and vectors are kept, threads and batching (bench, regress). */
export function withEncoderRunOptions<T>(y: Argv<T>) {
  return withEmbedCacheDirOption(y)
    .option('models-dir', {
      type: 'string',
      defaultDescription: '$BEIR_BENCH_MODELS_DIR, else ~/.cache/beir-bench/models for the models it holds, else the Hugging Face hub',
      describe:
        'Folder with <model id>/ in transformers.js layout (scripts/provision-models.sh fills the default one). A folder given here ' +
        'or in $BEIR_BENCH_MODELS_DIR must hold every model the run loads; results.json records where each model came from',
    })
    .option('device', {
      choices: ['cpu', 'cuda'] as const,
      default: 'cpu' as Device,
      describe: 'Where local encoders run: cpu, or cuda (an NVIDIA GPU; needs onnxruntime-node\'s CUDA provider, see README "GPU"; raise --batch-tokens there)',
    })
    .option('threads', { type: 'number', defaultDescription: 'all cores', describe: 'onnxruntime intra-op threads' })
    .option('batch-size', { type: 'number', default: DEFAULT_BATCH_SIZE, describe: 'Most texts per forward pass (texts are length-sorted first)' })
    .option('batch-tokens', {
      type: 'number',
      default: DEFAULT_BATCH_TOKENS,
      describe: 'Most padded tokens per forward pass (small passes stay in CPU cache; a longer text still gets a pass of its own)',
    })
    .option('cache', { type: 'boolean', default: true, describe: 'Use the embedding cache; --no-cache encodes everything and stores nothing' })
    .check((a) => checkPositiveIntegers(a, ['threads', 'batch-size', 'batch-tokens']));
}

/** Options of every command that embeds text with a model named on the command line (bench, and scripts reusing them). */
export function withModelOptions<T>(y: Argv<T>) {
  return withEncoderRunOptions(y)
    .option('model', {
      type: 'string',
      default: DEFAULT_MODEL,
      describe:
        'Embedding model: a registry id or its ONNX repo (see the "models" command), or any Hugging Face id with ONNX weights ' +
        'in transformers.js layout when its settings are given (--query-prefix ... --dimension)',
    })
    .option('query-prefix', { type: 'string', describe: 'Model setting: prefix of queries under the asymmetric policy ("" for none); overrides the registry' })
    .option('passage-prefix', { type: 'string', describe: 'Model setting: prefix of passages under the asymmetric policy ("" for none); overrides the registry' })
    .option('pooling', { choices: ['mean', 'cls'] as const, describe: 'Model setting: how token vectors become one vector; overrides the registry' })
    .option('normalize', { type: 'boolean', describe: 'Model setting: L2-normalise vectors (--no-normalize: keep raw); overrides the registry' })
    .option('max-length', { type: 'number', describe: 'Model setting: tokens per text, special tokens included; overrides the registry' })
    .option('dimension', { type: 'number', describe: 'Model setting: vector size, checked against what the model outputs; overrides the registry' })
    .option('dtype', { choices: DTYPE_NAMES, default: 'fp32' as Dtype, describe: `Weights: ${DTYPE_NAMES.map((d) => `${d} = ${DTYPES[d].describe}`).join('; ')}. A faster dtype stands in for fp32 only where \`gate\` passed its file on SciFact, NFCorpus and ArguAna: ${gateSummary()}` })
    .check((a) => checkPositiveIntegers(a, ['max-length', 'dimension']));
}

export interface EncoderRunArgs {
  'models-dir'?: string;
  device: Device;
  threads?: number;
  'batch-size': number;
  'batch-tokens': number;
  'embed-cache-dir': string;
  cache: boolean;
}

/** How encoders run (withEncoderRunOptions). */
export interface EncoderRunOptions {
  modelsDir: ModelsDir;
  device: Device;
  threads?: number;
  batchSize: number;
  batchTokens: number;
  /** null = --no-cache. */
  cacheDir: string | null;
}

export function encoderRunOptionsFrom(a: EncoderRunArgs): EncoderRunOptions {
  return {
    modelsDir: modelsDirFrom(a['models-dir']),
    device: a.device,
    threads: a.threads,
    batchSize: a['batch-size'],
    batchTokens: a['batch-tokens'],
    cacheDir: a.cache ? a['embed-cache-dir'] : null,
  };
}

export interface ModelArgs extends EncoderRunArgs {
  model: string;
  'query-prefix'?: string;
  'passage-prefix'?: string;
  pooling?: 'mean' | 'cls';
  normalize?: boolean;
  'max-length'?: number;
  dimension?: number;
  dtype: Dtype;
}

export interface ModelOptions extends EncoderRunOptions {
  model: ModelSpec;
  dtype: Dtype;
}

export function modelOptionsFrom(a: ModelArgs): ModelOptions {
  return {
    model: resolveModel(a.model, {
      queryPrefix: a['query-prefix'],
      passagePrefix: a['passage-prefix'],
      pooling: a.pooling,
      normalize: a.normalize,
      maxLength: a['max-length'],
      dimension: a.dimension,
    }),
    dtype: a.dtype,
    ...encoderRunOptionsFrom(a),
  };
}

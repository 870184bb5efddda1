import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AutoModel, AutoTokenizer, Tensor, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { UserError } from '../errors.js';
import type { Dtype, ModelSpec } from '../models/spec.js';
import type { Matrix } from '../types.js';
import { planBatches } from './batches.js';
import { fileSha256 } from './file-sha256.js';
import { explainHubFailures } from './hub-errors.js';
import { asModelsDir, DTYPES, offlineModelHint, resolveModelSource, weightsFileName, type ModelsDir, type ModelsDirOrigin, type ModelSource } from './model-source.js';
import { poolInto } from './pooling.js';
import type { RemoteTransport, RequestBody } from './remote-client.js';
import { checkCudaInstalled, explainCudaFailure } from './cuda.js';

/** A remote encoder as results.json records it: where requests went and what identified the answers. */
export interface RemoteEncoderInfo {
  kind: 'remote';
  /** The system's model (its dimension and normalisation are checked on every vector). */
  model: string;
  /** The model id the endpoints answer with; with the fingerprint, the cache key. */
  endpointModel: string;
  /** The `.../embeddings` URLs requests go to. */
  endpoints: string[];
  /** Every field of each request's body but `input`. */
  request: RequestBody;
  /** Of the probe vectors (src/embed/probe-fingerprint.ts). */
  fingerprint: string;
  normalize: boolean;
  dimension: number;
  transport: RemoteTransport;
}

/** The encoder as loaded, for results.json and the embedding cache key (src/embed/cache-key.ts). */
export type EncoderInfo = LocalEncoderInfo | RemoteEncoderInfo;

/** Where the local encoder runs: onnxruntime's CPU or CUDA execution provider. */
export type Device = 'cpu' | 'cuda';

export interface LocalEncoderInfo {
  /** Absent in results written before remote encoders existed. */
  kind?: 'local';
  model: string;
  /** Local folder or hub repo the files came from. */
  source: string;
  /**
   * For a local folder, who chose the models folder holding it: --models-dir (`flag`), $BEIR_BENCH_MODELS_DIR (`env`)
   * or the default ~/.cache/beir-bench/models (`default`). Absent for hub downloads and in results written before it.
   */
  modelsDirFrom?: ModelsDirOrigin;
  dtype: Dtype;
  weightsFile: string;
  weightsSha256: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  maxLength: number;
  dimension: number;
  threads: number;
  /** Most texts per forward pass. */
  batchSize: number;
  /** Most padded tokens per forward pass. */
  batchTokens: number;
  /** e.g. '@huggingface/transformers@4.3.1' */
  library: string;
  /** Absent in results written before --device existed (then: cpu). Not part of the cache key: same weights, same computation. */
  device?: Device;
  /**
   * Set only on a deliberately wrong variant (the deployment audit's hypotheses, `serve --simulate`): every text
   * padded to this many tokens and the mean taken over the padding positions too, as `last_hidden_state.mean(dim=1)`
   * after `padding="max_length"` does. Part of the cache key when set.
   */
  padPooling?: number;
}

/** Settings a variant of a loaded local encoder overrides; it shares the loaded weights (src/audit/ tries several). */
export interface EncoderVariant {
  maxLength?: number;
  normalize?: boolean;
  /** See LocalEncoderInfo.padPooling; null or absent: pool over the real tokens only. */
  padPooling?: number | null;
}

/** The local ONNX encoder; `variant` gives the same weights under other settings without loading them again. */
export interface LocalEncoder extends Encoder<LocalEncoderInfo> {
  /** Disposing the variant does nothing; it lives as long as the encoder it came from. */
  variant(v: EncoderVariant): LocalEncoder;
}

export interface EncodeOptions {
  /** Called after each batch with the number of texts it finished. */
  onProgress?: (n: number) => void;
}

export interface Encoder<I extends EncoderInfo = EncoderInfo> {
  info: I;
  /** Rows in the caller's order, L2-normalised when the model spec says so. */
  encode(texts: string[], opts?: EncodeOptions): Promise<Matrix>;
  /** Token counts (special tokens included, after truncation), e.g. for tokens/s figures. */
  countTokens(texts: string[]): number[];
  dispose(): Promise<void>;
}

export interface LoadEncoderOptions {
  model: ModelSpec;
  dtype: Dtype;
  /**
   * Folder holding `<model id>/` (or `<onnx repo>/`) in transformers.js layout (a plain path counts as given by a flag:
   * it must hold the model); absent = Hugging Face hub. See model-source.ts.
   */
  modelsDir?: string | ModelsDir;
  /** onnxruntime intra-op threads; default all cores. */
  threads?: number;
  /** Most texts per forward pass (texts are length-sorted first). */
  batchSize?: number;
  /** Most padded tokens per forward pass; see planBatches. */
  batchTokens?: number;
  /** Default cpu. */
  device?: Device;
  /**
   * onnxruntime's profiler on: per-node timings go to `<prefix>_<timestamp>.json`, written when the encoder is
   * disposed (scripts/bench-profile.ts reads it). Off by default: it costs a little time on every node.
   */
  profileFilePrefix?: string;
}

/** Measured on the 2-core machine (docs/PERFORMANCE.md): passages go one per pass, short queries ~4 per pass. */
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_BATCH_TOKENS = 128;

export async function loadEncoder(opts: LoadEncoderOptions): Promise<LocalEncoder> {
  const { model, dtype } = opts;
  const device = opts.device ?? 'cpu';
  if (device === 'cuda') checkCudaInstalled();
  const threads = opts.threads ?? availableParallelism();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const batchTokens = opts.batchTokens ?? DEFAULT_BATCH_TOKENS;
  for (const [name, v] of Object.entries({ threads, batchSize, batchTokens })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }

  const source = resolveModelSource(model, dtype, opts.modelsDir);
  useSource(source);
  const load = async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(source.name);
    const onnxModel = await AutoModel.from_pretrained(source.name, {
      dtype: DTYPES[dtype].loadAs,
      ...(DTYPES[dtype].baseName && { model_file_name: DTYPES[dtype].baseName }),
      device,
      session_options: {
        // One graph runs at a time, so inter-op parallelism has nothing to do; intra-op threads do the matmuls.
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        // Idle workers sleep instead of spinning: spinning steals the cores from tokenisation/pooling between runs
        // and from other processes; measured ~20% faster on the shared 2-core machine (docs/PERFORMANCE.md).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        ...(opts.profileFilePrefix !== undefined && { enableProfiling: true, profileFilePrefix: opts.profileFilePrefix }),
      },
    });
    return { tokenizer, onnxModel };
  };
  const loadOn = device === 'cuda' ? () => explainCudaFailure(load) : load;
  const { tokenizer, onnxModel } =
    source.kind === 'hub'
      ? await explainHubFailures({ what: `model ${model.id} (hub repo ${source.name})`, offline: offlineModelHint(model, dtype) }, loadOn)
      : await loadOn();
  const weightsFile = join(source.kind === 'local' ? source.dir : join(env.cacheDir ?? '', source.name), weightsFileName(dtype));

  const info: LocalEncoderInfo = {
    kind: 'local',
    model: model.id,
    source: source.kind === 'local' ? source.dir : `hf:${source.name}`,
    ...(source.kind === 'local' && opts.modelsDir && { modelsDirFrom: asModelsDir(opts.modelsDir).from }),
    dtype,
    weightsFile,
    weightsSha256: await fileSha256(weightsFile),
    pooling: model.pooling,
    normalize: model.normalize,
    maxLength: model.maxLength,
    dimension: model.dimension,
    threads,
    batchSize,
    batchTokens,
    library: `@huggingface/transformers@${env.version}`,
    device,
  };
  return new OnnxEncoder(info, tokenizer, onnxModel);
}

/** transformers.js resolves model names through process-global settings; point them at this source only. */
function useSource(source: ModelSource): void {
  if (source.kind === 'local') {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = source.root;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = source.host;
  }
}

class OnnxEncoder implements LocalEncoder {
  constructor(
    readonly info: LocalEncoderInfo,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    /** A variant shares the model of the encoder it came from and does not dispose it. */
    private readonly ownsModel = true,
  ) {}

  variant(v: EncoderVariant): LocalEncoder {
    const { padPooling, ...rest } = { ...this.info, ...v };
    for (const [name, n] of Object.entries({ maxLength: rest.maxLength, padPooling: padPooling ?? 1 })) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
    }
    if (padPooling && rest.pooling !== 'mean') throw new RangeError('padPooling needs mean pooling');
    return new OnnxEncoder({ ...rest, ...(padPooling ? { padPooling } : {}) }, this.tokenizer, this.model, false);
  }

  countTokens(texts: string[]): number[] {
    return this.tokenize(texts).map((ids) => ids.length);
  }

  async encode(texts: string[], opts: EncodeOptions = {}): Promise<Matrix> {
    const { dimension: dim } = this.info;
    const out: Matrix = { data: new Float32Array(texts.length * dim), rows: texts.length, dim };
    if (texts.length === 0) return out;
    // Tokenising the whole call first costs under 1% of the forward passes (measured) and lets batches be length-sorted.
    const ids = this.tokenize(texts);
    const limits = { maxRows: this.info.batchSize, maxTokens: this.info.batchTokens };
    const padTo = this.info.padPooling ?? 0;
    for (const batch of planBatches(ids.map((x) => Math.max(x.length, padTo)), limits)) {
      const rows = batch.map((i) => ids[i]);
      const lengths = rows.map((r) => r.length);
      const seqLen = Math.max(padTo, ...lengths);
      const output = await this.model({
        input_ids: padded(rows, seqLen, BigInt(this.tokenizer.pad_token_id ?? 0), (r, t) => BigInt(r[t])),
        attention_mask: padded(rows, seqLen, 0n, () => 1n),
      });
      const hidden = tokenEmbeddings(output as Record<string, Tensor>, rows.length, seqLen, this.info.model);
      if (hidden.dims[2] !== dim) {
        throw new UserError(`${this.info.model} produces ${hidden.dims[2]}-dim vectors, but its settings say ${dim} (--dimension or the registry)`);
      }
      // Padded pooling averages every position of the padded row: the pooled "length" is the row's full length.
      const pooled = padTo ? lengths.map(() => seqLen) : lengths;
      poolInto(hidden.data as Float32Array, pooled, seqLen, dim, this.info.pooling, this.info.normalize, out.data, batch);
      hidden.dispose();
      opts.onProgress?.(batch.length);
    }
    return out;
  }

  /** Token ids with special tokens, truncated to maxLength. */
  private tokenize(texts: string[]): number[][] {
    const { input_ids } = this.tokenizer(texts, { add_special_tokens: true, padding: false, truncation: false, return_tensor: false }) as {
      input_ids: number[][];
    };
    return input_ids.map((ids) => truncateTokens(ids, this.info.maxLength));
  }

  async dispose(): Promise<void> {
    if (this.ownsModel) await this.model.dispose();
  }
}

/**
 * The per-token output the pooling reads: `last_hidden_state` as Hugging Face exports name it, else the one
 * [rows, seqLen, dim] output (some exports, e.g. langchain4j's all-MiniLM-L6-v2, name it `output_0` beside a
 * pooled [rows, dim] output that is not the model's mean pooling).
 */
function tokenEmbeddings(outputs: Record<string, Tensor>, rows: number, seqLen: number, model: string): Tensor {
  if (outputs.last_hidden_state) return outputs.last_hidden_state;
  const candidates = Object.values(outputs).filter((t) => t.dims.length === 3 && t.dims[0] === rows && t.dims[1] === seqLen);
  if (candidates.length !== 1) {
    const shapes = Object.entries(outputs).map(([name, t]) => `${name} [${t.dims.join(', ')}]`).join(', ');
    throw new UserError(`${model}: cannot tell which ONNX output holds the token embeddings (outputs: ${shapes}); expected last_hidden_state`);
  }
  return candidates[0];
}

/**
 * Cut token ids (special tokens included) to `max` the way Hugging Face Python does for one sequence: the closing
 * special token ([SEP] / </s>) is kept. transformers.js' own truncation would drop it, which the model never saw
 * in training.
 */
export function truncateTokens(ids: number[], max: number): number[] {
  return ids.length > max ? [...ids.slice(0, max - 1), ids[ids.length - 1]] : ids;
}

/** A [rows, seqLen] int64 tensor, right-padded with `pad` (XLM-R pads with 1, BERT with 0). */
function padded(rows: number[][], seqLen: number, pad: bigint, value: (row: number[], t: number) => bigint): Tensor {
  const data = new BigInt64Array(rows.length * seqLen).fill(pad);
  rows.forEach((r, i) => {
    for (let t = 0; t < r.length; t++) data[i * seqLen + t] = value(r, t);
  });
  return new Tensor('int64', data, [rows.length, seqLen]);
}

/** What the harness must know about an embedding model to use it faithfully. */
export interface ModelSpec {
  /** Registry id users type, e.g. `intfloat/e5-small-v2`. */
  id: string;
  /** Hugging Face repo holding ONNX weights in transformers.js layout (onnx/model.onnx), e.g. `Xenova/e5-small-v2`. */
  onnxRepo: string;
  /** Prefix the model was trained with for queries / passages (asymmetric use). */
  queryPrefix: string;
  passagePrefix: string;
  pooling: 'mean' | 'cls';
  normalize: boolean;
  maxLength: number;
  dimension: number;
  /** Similarity the model was trained for; with normalised vectors cosine = dot product. */
  similarity: 'cosine' | 'dot';
  description: string;
}

/**
 * Which weights file of a model runs: `fp32` the exported graph; `fused` the same fp32 weights in the graph
 * onnxruntime's transformer optimiser fuses (attention, SkipLayerNorm, BiasGelu: same arithmetic, fewer nodes);
 * `int8` 8-bit weights this project builds (scripts/build-model-variants.sh); `q8` the exporter's 8-bit file.
 * Files and status: DTYPES in src/embed/model-source.ts.
 */
export const DTYPE_NAMES = ['fp32', 'fused', 'int8', 'q8'] as const;
export type Dtype = (typeof DTYPE_NAMES)[number];

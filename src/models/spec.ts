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

export type Dtype = 'fp32' | 'q8';

import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import type { Matrix } from '../types.js';
import { encodeOnnxModel, type OnnxGraph } from './onnx-model.js';

/**
 * One onnxruntime session that, for a fixed set of queries and one passage block per call, computes the
 * float32 dot products of every query with every passage (SGEMM in onnxruntime's MLAS kernels) and hands
 * back only the best `k` per query with their block rows, plus the largest squared passage norm of the
 * block (the input of the error bound in exact-gemm.ts). The full score matrix never leaves native code.
 */

export interface BlockTopK {
  /** Rows = queries, `k` columns: GEMM scores, best first. */
  scores: Float32Array;
  /** Same layout: the passage row within the block of each score. */
  rows: BigInt64Array;
  /** Columns per query row (min(k, block rows)). */
  k: number;
  /** Largest float32-computed squared L2 norm of the block's passages. */
  maxNormSq: number;
  /** Sum of the same; NaN or infinite when the block holds a non-finite value. */
  sumNormSq: number;
}

const OPSET = 13;

function gemmTopKGraph(queryRows: number, dim: number): OnnxGraph {
  return {
    name: 'gemm_top_k',
    opset: OPSET,
    inputs: [
      { name: 'queries', type: 'float32', shape: [queryRows, dim] },
      { name: 'passages', type: 'float32', shape: ['rows', dim] },
      { name: 'k', type: 'int64', shape: [1] },
    ],
    outputs: [
      { name: 'top_scores', type: 'float32', shape: [queryRows, 'k'] },
      { name: 'top_rows', type: 'int64', shape: [queryRows, 'k'] },
      { name: 'max_norm_sq', type: 'float32', shape: [] },
      { name: 'sum_norm_sq', type: 'float32', shape: [] },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['queries', 'passages'], outputs: ['scores'], attributes: { transB: 1 } },
      { op: 'TopK', inputs: ['scores', 'k'], outputs: ['top_scores', 'top_rows'], attributes: { axis: 1, largest: 1, sorted: 1 } },
      { op: 'ReduceSumSquare', inputs: ['passages'], outputs: ['norms_sq'], attributes: { axes: [1], keepdims: 0 } },
      { op: 'ReduceMax', inputs: ['norms_sq'], outputs: ['max_norm_sq'], attributes: { keepdims: 0 } },
      { op: 'ReduceSum', inputs: ['norms_sq'], outputs: ['sum_norm_sq'], attributes: { keepdims: 0 } },
    ],
  };
}

export class GemmTopK {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly queries: ort.Tensor,
    private readonly dim: number,
  ) {}

  /** `threads`: onnxruntime intra-op threads, default all cores. */
  static async create(queries: Matrix, threads = availableParallelism()): Promise<GemmTopK> {
    const model = encodeOnnxModel(gemmTopKGraph(queries.rows, queries.dim));
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Idle pool threads would otherwise spin on the cores the JS rescoring between runs needs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    const data = queries.data.subarray(0, queries.rows * queries.dim);
    return new GemmTopK(session, new ort.Tensor('float32', data, [queries.rows, queries.dim]), queries.dim);
  }

  /** Best `k` (at most the block's rows) per query over one block of passages. */
  async run(passages: Matrix, k: number): Promise<BlockTopK> {
    if (passages.dim !== this.dim) throw new Error(`exact search: passage dimension ${passages.dim} != query dimension ${this.dim}`);
    const kk = Math.min(k, passages.rows);
    const out = await this.session.run({
      queries: this.queries,
      passages: new ort.Tensor('float32', passages.data.subarray(0, passages.rows * passages.dim), [passages.rows, passages.dim]),
      k: new ort.Tensor('int64', BigInt64Array.of(BigInt(kk)), [1]),
    });
    return {
      scores: out.top_scores.data as Float32Array,
      rows: out.top_rows.data as BigInt64Array,
      k: kk,
      maxNormSq: (out.max_norm_sq.data as Float32Array)[0],
      sumNormSq: (out.sum_norm_sq.data as Float32Array)[0],
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

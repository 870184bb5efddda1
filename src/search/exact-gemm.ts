import type { DocTable } from '../datasets/doc-table.js';
import type { Scored } from '../ranking.js';
import type { Matrix } from '../types.js';
import { GemmTopK } from './gemm-top-k.js';
import { dot64, RunningTopK } from './running-top-k.js';

/**
 * Exact top-k dense search at matrix-multiply speed, with the same hits and scores, bit for bit, as the
 * scalar reference (src/backends/exact.ts: float64 dot products, float32 comparison, ties by doc id).
 *
 * Passages arrive in blocks. For each block a native SGEMM scores every query against every passage in
 * float32 and keeps each query's best few (GemmTopK). Those float32 scores differ from the reference's
 * float64 ones by at most a proven bound (gemmErrorBound), so they serve only to preselect: candidates are
 * rescored exactly as the reference does, best GEMM score first, until the GEMM score falls so far below
 * the query's current k-th best that no doc at or below it can reach it. Should every candidate the GEMM
 * handed back still be within reach (a block with many near-equal scores), the query rescores the whole
 * block exactly, so ties at the k-th score are resolved exactly whatever their number.
 */

/** A run of consecutive passage rows: row i of `matrix` is corpus row `offset + i`. */
export interface PassageBlock {
  offset: number;
  matrix: Matrix;
}

/** All passages at once, or blocks in corpus order (e.g. streamed from disk). */
export type PassageSource = Matrix | Iterable<PassageBlock> | AsyncIterable<PassageBlock>;

export interface BlockProgress {
  /** Corpus rows done so far, this block included. */
  rowsDone: number;
  /** Rows in this block. */
  rows: number;
  /** Exact (float64) dot products computed for this block, over all queries. */
  rescored: number;
  /** Queries that had to rescore the whole block (many near-ties at their k-th score). */
  fullScans: number;
}

export interface ExactSearchOptions {
  queries: Matrix;
  passages: PassageSource;
  /** One per corpus row: an array, or the compact table of a streamed corpus. */
  docIds: readonly string[] | DocTable;
  k: number;
  /** onnxruntime intra-op threads; default all cores. */
  threads?: number;
  /**
   * Working memory per block in bytes (passage rows plus the query x passage score matrix); sets the
   * passage rows per GEMM call unless `blockRows` is given. Larger source blocks are cut to fit.
   */
  memoryBytes?: number;
  blockRows?: number;
  onBlock?: (progress: BlockProgress) => void;
}

/**
 * 128 MiB: about 24k passage rows per GEMM call against 1,000 queries of 384 dims. On the 2-core machine
 * 16k to 32k rows did best; 2k to 4k rows lose a third to per-call overhead (docs/PERFORMANCE.md).
 */
export const DEFAULT_MEMORY_BYTES = 128 * 2 ** 20;

/**
 * Candidates per query and block handed back by the GEMM: k plus room for near-ties. Only more than 16
 * docs within the error bound of the k-th score in one block make a query rescore that block whole, while
 * onnxruntime's TopK slows as its k grows (per 24k-row block of 1,000 queries on the 2-core machine: k = 36
 * costs next to nothing, 216 adds 30 to 45% to the GEMM time, 1,016 about 160%).
 */
function candidatesPerBlock(k: number): number {
  return k + 16;
}

/** Passage rows per GEMM call that fit `memoryBytes` of working memory (passage rows plus scores). */
export function blockRowsFor(memoryBytes: number, queryRows: number, dim: number): number {
  return Math.max(1, Math.floor(memoryBytes / (Float32Array.BYTES_PER_ELEMENT * (queryRows + dim))));
}

const F32_EPS = 2 ** -24; // unit roundoff of float32
const F32_MIN_NORMAL = 2 ** -126;

/**
 * An upper bound on |g - e| for a query q and any passage d of a block, where g is the float32 dot
 * product the GEMM returns and e the reference's float64 one (or Infinity when no bound holds).
 *
 * The GEMM sums the dim products q_i*d_i in float32, in an order of its choosing (MLAS's blocked FMA
 * kernels; any order, any use of FMA). For every such order the error is at most
 * gamma_n * sum|q_i*d_i| with gamma_n = n*u / (1 - n*u), n = dim, u = 2^-24 (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., section 3.1), plus at most 2n * 2^-126 lost to underflow
 * if subnormals are flushed. By Cauchy-Schwarz sum|q_i*d_i| <= |q| |d|. |q| is computed in float64; the
 * block's largest |d|^2 comes from the same native code in float32 (ReduceSumSquare, ReduceMax) and is at
 * most (maxNormSq + n * 2^-126) / (1 - gamma_n) exactly. The reference itself errs from the true dot
 * product by at most gamma_n in float64 (u = 2^-53) times the same sum. The factor 2 below covers the
 * 1/sqrt(1 - gamma_n) (<= 1.04 for n <= 2^20), the reference's error (< 1e-9 relative) and the rounding of
 * this formula in float64. A bound above 1e37 (norms near float32 overflow, where the GEMM could overflow)
 * or dim > 2^20 gives Infinity, which makes every doc a candidate: slow but still exact.
 */
export function gemmErrorBound(queryNorm: number, maxNormSq: number, dim: number): number {
  if (dim > 2 ** 20) return Infinity;
  const gamma = (dim * F32_EPS) / (1 - dim * F32_EPS);
  const normProduct = queryNorm * Math.sqrt(maxNormSq + dim * F32_MIN_NORMAL);
  if (!(normProduct < 1e37)) return Infinity;
  return 2 * (gamma * normProduct + 2 * dim * F32_MIN_NORMAL);
}

/**
 * The lowest GEMM score a doc can have and still rank at or above a k-th best float32 score `worst`:
 * its reference score e must round to >= worst, so e > worst - ulp(worst) (one float32 ulp, where half
 * would do), and its GEMM score is at most `bound` below e.
 */
function reachable(worst: number, bound: number): number {
  return worst - bound - (Math.abs(worst) * 2 ** -23 + 2 ** -149);
}

function isMatrix(source: PassageSource): source is Matrix {
  return (source as Matrix).data instanceof Float32Array;
}

async function* blocksOf(source: PassageSource): AsyncIterable<PassageBlock> {
  if (isMatrix(source)) yield { offset: 0, matrix: source };
  else yield* source;
}

/** The block's rows as views of at most `maxRows` rows each. */
function* slices(block: PassageBlock, maxRows: number): Iterable<PassageBlock> {
  const { matrix, offset } = block;
  for (let start = 0; start < matrix.rows; start += maxRows) {
    const rows = Math.min(maxRows, matrix.rows - start);
    const data = matrix.data.subarray(start * matrix.dim, (start + rows) * matrix.dim);
    yield { offset: offset + start, matrix: { data, rows, dim: matrix.dim } };
  }
}

function queryNorms(queries: Matrix): Float64Array {
  const norms = new Float64Array(queries.rows);
  for (let qi = 0; qi < queries.rows; qi++) {
    const sq = dot64(queries.data, qi * queries.dim, queries.data, qi * queries.dim, queries.dim);
    if (!Number.isFinite(sq)) throw new Error(`exact search: query row ${qi} holds a non-finite value`);
    norms[qi] = Math.sqrt(sq);
  }
  return norms;
}

/** Exact top-k for every query row; see the module comment. Resolves to one hit list per query, best first. */
export async function exactSearch(options: ExactSearchOptions): Promise<Scored[][]> {
  const { queries, k } = options;
  const docIds = idLookup(options.docIds);
  const dim = queries.dim;
  if (queries.data.length < queries.rows * dim) throw new Error(`exact search: query matrix holds fewer than ${queries.rows} x ${dim} values`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`exact search: k must be a positive integer, got ${k}`);
  if (queries.rows === 0) return [];
  const tops = Array.from({ length: queries.rows }, () => new RunningTopK(k));
  const norms = queryNorms(queries);
  const maxRows = options.blockRows ?? blockRowsFor(options.memoryBytes ?? DEFAULT_MEMORY_BYTES, queries.rows, dim);
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`exact search: block rows must be a positive integer, got ${maxRows}`);
  const candidates = candidatesPerBlock(k);
  const gemm = await GemmTopK.create(queries, options.threads);
  let rowsDone = 0;
  try {
    for await (const block of blocksOf(options.passages)) {
      const { offset, matrix } = block;
      if (offset !== rowsDone) throw new Error(`exact search: passage block starts at row ${offset}, expected ${rowsDone}`);
      if (matrix.dim !== dim) throw new Error(`exact search: query dimension ${dim} != passage dimension ${matrix.dim}`);
      if (matrix.data.length < matrix.rows * dim) {
        throw new Error(`exact search: passage block at row ${offset} holds fewer than ${matrix.rows} x ${dim} values`);
      }
      if (offset + matrix.rows > docIds.length) {
        throw new Error(`exact search: ${docIds.length} doc ids for at least ${offset + matrix.rows} vectors`);
      }
      for (const slice of slices(block, maxRows)) {
        const progress = await searchBlock(gemm, slice, queries, norms, docIds, tops, candidates);
        rowsDone = slice.offset + slice.matrix.rows;
        options.onBlock?.({ ...progress, rowsDone });
      }
    }
  } finally {
    await gemm.release();
  }
  if (rowsDone !== docIds.length) throw new Error(`exact search: ${docIds.length} doc ids for ${rowsDone} vectors`);
  return tops.map((top) => top.result());
}

/** Doc ids by row, whatever holds them. */
interface IdLookup {
  length: number;
  id(row: number): string;
}

function idLookup(ids: readonly string[] | DocTable): IdLookup {
  return Array.isArray(ids) ? { length: ids.length, id: (row) => ids[row] } : { length: (ids as DocTable).size, id: (row) => (ids as DocTable).id(row) };
}

async function searchBlock(
  gemm: GemmTopK,
  block: PassageBlock,
  queries: Matrix,
  norms: Float64Array,
  docIds: IdLookup,
  tops: RunningTopK[],
  candidates: number,
): Promise<Omit<BlockProgress, 'rowsDone'>> {
  const { offset, matrix } = block;
  const dim = queries.dim;
  const best = await gemm.run(matrix, candidates);
  if (!Number.isFinite(best.sumNormSq)) {
    throw new Error(`exact search: passage rows ${offset}..${offset + matrix.rows - 1} hold a non-finite value (or a norm beyond float32 range)`);
  }
  const returned = best.k;
  let rescored = 0;
  let fullScans = 0;
  for (let qi = 0; qi < queries.rows; qi++) {
    const top = tops[qi];
    const bound = gemmErrorBound(norms[qi], best.maxNormSq, dim);
    const base = qi * returned;
    const offer = (row: number) => top.offer(docIds.id(offset + row), dot64(queries.data, qi * dim, matrix.data, row * dim, dim), offset + row);
    let j = 0;
    // Once `top` is full its k-th score only rises, so the first candidate out of reach ends the query.
    for (; j < returned; j++) {
      if (top.full && best.scores[base + j] < reachable(top.worst, bound)) break;
      offer(Number(best.rows[base + j]));
    }
    rescored += j;
    // Rows the GEMM did not hand back score at most its last candidate; if that one is still within
    // reach, so may they be.
    if (j === returned && returned < matrix.rows && !(best.scores[base + returned - 1] < reachable(top.worst, bound))) {
      const handedBack = new Set<number>();
      for (let i = 0; i < returned; i++) handedBack.add(Number(best.rows[base + i]));
      for (let row = 0; row < matrix.rows; row++) if (!handedBack.has(row)) offer(row);
      rescored += matrix.rows - returned;
      fullScans++;
    }
  }
  return { rows: matrix.rows, rescored, fullScans };
}

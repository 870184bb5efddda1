/** Row-wise comparisons of two sets of vectors and the quantiles the audit reports. */
import type { Matrix } from '../types.js';

/** Cosine between row i of `a` and row i of `b`, for every row (0 when either row is all zeros). */
export function rowCosines(a: Matrix, b: Matrix): number[] {
  if (a.rows !== b.rows || a.dim !== b.dim) throw new Error(`rowCosines: ${a.rows}x${a.dim} vs ${b.rows}x${b.dim}`);
  const out: number[] = [];
  for (let r = 0; r < a.rows; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = r * a.dim; d < (r + 1) * a.dim; d++) {
      dot += a.data[d] * b.data[d];
      na += a.data[d] * a.data[d];
      nb += b.data[d] * b.data[d];
    }
    out.push(na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb));
  }
  return out;
}

/** The L2 norm of every row. */
export function rowNorms(m: Matrix): number[] {
  const out: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    let sq = 0;
    for (let d = r * m.dim; d < (r + 1) * m.dim; d++) sq += m.data[d] * m.data[d];
    out.push(Math.sqrt(sq));
  }
  return out;
}

/** The rows `indices` of `m`, in that order. */
export function pickRows(m: Matrix, indices: readonly number[]): Matrix {
  const data = new Float32Array(indices.length * m.dim);
  indices.forEach((r, i) => data.set(m.data.subarray(r * m.dim, (r + 1) * m.dim), i * m.dim));
  return { data, rows: indices.length, dim: m.dim };
}

/** Five-number summary of a distribution (p05 and p95 by linear interpolation, as numpy's default). */
export interface Quantiles {
  min: number;
  p05: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
  n: number;
}

export function quantiles(xs: readonly number[]): Quantiles {
  if (xs.length === 0) throw new Error('quantiles of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = q * (s.length - 1);
    const lo = Math.floor(pos);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
  };
  return { min: s[0], p05: at(0.05), median: at(0.5), p95: at(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
}

/** Shared data shapes crossing module boundaries. */

/** A corpus document as BEIR stores it: title and text kept apart. */
export interface Doc {
  id: string;
  title: string;
  text: string;
}

/** A query as BEIR stores it. */
export interface Query {
  id: string;
  text: string;
}

/** qrels: query id -> (doc id -> integer grade). Every row is kept (0 and negative grades too); last row wins. */
export type Qrels = Map<string, Map<string, number>>;

/** A retrieval run: query id -> (doc id -> score). A doc listed twice keeps its last score. */
export type Run = Map<string, Map<string, number>>;

/** Row-major matrix of float32 vectors: row i is data.subarray(i * dim, (i + 1) * dim). */
export interface Matrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

export function matrixRow(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

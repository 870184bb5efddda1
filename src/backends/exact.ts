import type { Scored } from '../ranking.js';
import { dot64, RunningTopK } from '../search/running-top-k.js';
import type { Matrix } from '../types.js';

/**
 * Exact top-k by dot product (= cosine for L2-normalised vectors), for every query row against every
 * doc row, by a plain scan. Hits come out in the shared ranking order (float32 score desc, doc id desc by
 * UTF-8 bytes), so the run this produces scores the same however it is later sorted. This is the
 * reference that the GEMM search in src/search/exact-gemm.ts must match bit for bit.
 */
export function exactTopK(queries: Matrix, docs: Matrix, docIds: readonly string[], k: number): Scored[][] {
  if (queries.dim !== docs.dim) {
    throw new Error(`exact search: query dimension ${queries.dim} != passage dimension ${docs.dim}`);
  }
  if (docIds.length !== docs.rows) throw new Error(`exact search: ${docIds.length} doc ids for ${docs.rows} vectors`);
  const out: Scored[][] = [];
  const dim = docs.dim;
  for (let qi = 0; qi < queries.rows; qi++) {
    const top = new RunningTopK(k);
    for (let di = 0; di < docs.rows; di++) top.offer(docIds[di], dot64(queries.data, qi * dim, docs.data, di * dim, dim), di);
    out.push(top.result());
  }
  return out;
}

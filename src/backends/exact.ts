import { rankingCompare, type Scored } from '../ranking.js';
import type { Matrix } from '../types.js';

/**
 * Exact top-k by dot product (= cosine for L2-normalised vectors), for every query row against every
 * doc row. Hits come out in the shared ranking order (float32 score desc, doc id desc by UTF-8 bytes),
 * so the run this produces scores the same however it is later sorted.
 */
export function exactTopK(queries: Matrix, docs: Matrix, docIds: readonly string[], k: number): Scored[][] {
  if (queries.dim !== docs.dim) {
    throw new Error(`exact search: query dimension ${queries.dim} != passage dimension ${docs.dim}`);
  }
  if (docIds.length !== docs.rows) throw new Error(`exact search: ${docIds.length} doc ids for ${docs.rows} vectors`);
  const out: Scored[][] = [];
  const dim = docs.dim;
  const q = queries.data;
  const d = docs.data;
  for (let qi = 0; qi < queries.rows; qi++) {
    const qOff = qi * dim;
    // `top` is kept sorted best-first; only a candidate beating the current worst is inserted.
    const top: Scored[] = [];
    let worst = -Infinity;
    for (let di = 0; di < docs.rows; di++) {
      const dOff = di * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += q[qOff + j] * d[dOff + j];
      if (top.length === k && Math.fround(s) < worst) continue;
      const hit = { id: docIds[di], score: s };
      if (top.length === k) {
        if (rankingCompare(hit, top[k - 1]) >= 0) continue;
        top.pop();
      }
      let pos = top.length;
      while (pos > 0 && rankingCompare(hit, top[pos - 1]) < 0) pos--;
      top.splice(pos, 0, hit);
      if (top.length === k) worst = Math.fround(top[k - 1].score);
    }
    out.push(top);
  }
  return out;
}

import { rankingCompare, type Scored } from '../ranking.js';

/**
 * The exact score and the top-k bookkeeping that every exact search shares, so that any search that
 * offers the same (doc, score) pairs ends with the same hits, bit for bit, in whatever order it offers them.
 */

/**
 * The reference score: the dot product of two float32 rows, summed in float64 from the first component
 * to the last. (Each product of two float32 values is exact in float64; only the sums round.)
 */
export function dot64(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[aOffset + j] * b[bOffset + j];
  return s;
}

interface Hit extends Scored {
  /** Corpus row: the last tie-break, so the result does not depend on the order docs are offered in. */
  row: number;
}

/** Ranking order, then corpus row ascending (a scan in corpus order keeps the earlier of two full ties). */
function compareHits(a: Hit, b: Hit): number {
  return rankingCompare(a, b) || a.row - b.row;
}

/** The best `k` hits offered so far, in the shared ranking order (float32 score desc, doc id desc by UTF-8). */
export class RunningTopK {
  /** Sorted best first; at most k. */
  private readonly hits: Hit[] = [];
  private worstF32 = -Infinity;

  constructor(private readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`exact search: k must be a positive integer, got ${k}`);
  }

  /** True once k hits are held; from then on only a hit ranking above `worst` gets in. */
  get full(): boolean {
    return this.hits.length === this.k;
  }

  /** Float32 score of the k-th hit (-Infinity until full): a doc whose float32 score is lower cannot enter. */
  get worst(): number {
    return this.worstF32;
  }

  offer(id: string, score: number, row: number): void {
    const top = this.hits;
    const k = this.k;
    if (top.length === k && Math.fround(score) < this.worstF32) return;
    const hit: Hit = { id, score, row };
    if (top.length === k) {
      if (compareHits(hit, top[k - 1]) >= 0) return;
      top.pop();
    }
    let pos = top.length;
    while (pos > 0 && compareHits(hit, top[pos - 1]) < 0) pos--;
    top.splice(pos, 0, hit);
    if (top.length === k) this.worstF32 = Math.fround(top[k - 1].score);
  }

  /** The hits, best first. */
  result(): Scored[] {
    return this.hits.map(({ id, score }) => ({ id, score }));
  }
}

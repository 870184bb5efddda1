/** How much an approximate (HNSW) run agrees with exact search on the same vectors: a comparison of two systems. */
import type { Scored } from '../ranking.js';

type RankedRun = ReadonlyMap<string, readonly Scored[]>;

/**
 * Recall of the approximate top k against the exact top k, per query: |approx@k ∩ exact@k| / |exact@k|,
 * both runs in the shared ranking order. Queries are those of `exact` with at least one hit; a query
 * missing from `approx` scores 0. meanOverlap is NaN when no query qualifies (nothing to compare).
 * Pass runs after the same post-processing (e.g. self-hit removal), or overlap measures that instead.
 */
export function topKOverlap(approx: RankedRun, exact: RankedRun, k: number): { meanOverlap: number; perQuery: Map<string, number> } {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKOverlap: k must be a positive integer, got ${k}`);
  const perQuery = new Map<string, number>();
  let sum = 0;
  for (const [queryId, exactHits] of exact) {
    const truth = exactHits.slice(0, k);
    if (truth.length === 0) continue;
    const found = new Set((approx.get(queryId) ?? []).slice(0, k).map((h) => h.id));
    const overlap = truth.filter((h) => found.has(h.id)).length / truth.length;
    perQuery.set(queryId, overlap);
    sum += overlap;
  }
  return { meanOverlap: perQuery.size > 0 ? sum / perQuery.size : NaN, perQuery };
}

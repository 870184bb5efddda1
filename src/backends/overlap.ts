/** How much an approximate (HNSW) run agrees with exact search on the same vectors. */
import { rankDocs } from '../ranking.js';
import type { Run } from '../types.js';

/**
 * Recall of the approximate top k against the exact top k, per query: |approx@k ∩ exact@k| / |exact@k|,
 * both cut in the shared ranking order. Queries are those of `exact` with at least one hit; a query
 * missing from `approx` scores 0. meanOverlap is NaN when no query qualifies (nothing to compare).
 * Pass runs after the same post-processing (e.g. self-hit removal), or overlap measures that instead.
 */
export function topKOverlap(approx: Run, exact: Run, k: number): { meanOverlap: number; perQuery: Map<string, number> } {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKOverlap: k must be a positive integer, got ${k}`);
  const perQuery = new Map<string, number>();
  let sum = 0;
  for (const [queryId, exactDocs] of exact) {
    const truth = rankDocs(exactDocs).slice(0, k);
    if (truth.length === 0) continue;
    const approxDocs = approx.get(queryId);
    const found = new Set(approxDocs ? rankDocs(approxDocs).slice(0, k).map((h) => h.id) : []);
    const overlap = truth.filter((h) => found.has(h.id)).length / truth.length;
    perQuery.set(queryId, overlap);
    sum += overlap;
  }
  return { meanOverlap: perQuery.size > 0 ? sum / perQuery.size : NaN, perQuery };
}

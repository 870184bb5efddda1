import { rankDocs } from '../ranking.js';
import type { Run } from '../types.js';

/**
 * The run as scored and written: per query, self hits removed (BEIR's ignore_identical_ids, when on) and
 * the top k kept in the shared ranking order. Engines are asked for k + 1 hits so dropping a self hit
 * still leaves k.
 */
export function cutRun(run: Run, k: number, ignoreIdenticalIds: boolean): Run {
  const out: Run = new Map();
  for (const [qid, docs] of run) {
    const kept = rankDocs(docs).filter((h) => !(ignoreIdenticalIds && h.id === qid)).slice(0, k);
    out.set(qid, new Map(kept.map((h) => [h.id, h.score])));
  }
  return out;
}

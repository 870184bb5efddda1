import type { RankedRun } from '../backends/backend.js';
import { withoutSelfHit } from '../ranking.js';

/**
 * The run as scored and written: per query, the self hit removed (BEIR's ignore_identical_ids, when on) and
 * the top k kept. Hits arrive in the shared ranking order, so this only filters and slices. Engines are asked
 * for k + 1 hits so dropping a self hit still leaves k.
 */
export function cutRun(run: RankedRun, k: number, ignoreIdenticalIds: boolean): RankedRun {
  const out: RankedRun = new Map();
  for (const [qid, hits] of run) out.set(qid, (ignoreIdenticalIds ? withoutSelfHit(hits, qid) : hits).slice(0, k));
  return out;
}

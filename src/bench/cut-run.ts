import { type RankedRun, withoutSelfHit } from '../ranking.js';
import { deepestCutoff } from '../eval/metrics.js';
import type { BenchConfig } from './config.js';

/**
 * Hits per query a run keeps (scored, and written to runs/*.trec): --depth when given, else the deepest cutoff of
 * the measures it reports, so no measure is computed from fewer hits than its name says (Recall@100 from 100).
 */
export function runDepth(cfg: Pick<BenchConfig, 'k' | 'metrics' | 'depth'>): number {
  return Math.max(cfg.depth ?? 0, cfg.k, deepestCutoff(cfg.metrics));
}

/** Hits per query engines are asked for: one more than the run keeps when the self hit will be dropped (as BEIR asks). */
export function retrievalDepth(depth: number, ignoreIdenticalIds: boolean): number {
  return ignoreIdenticalIds ? depth + 1 : depth;
}

/**
 * The run as scored and written: per query, the self hit removed (BEIR's ignore_identical_ids, when on) and
 * the top `depth` kept. Hits arrive in the shared ranking order, so this only filters and slices. Engines are asked
 * for retrievalDepth(depth) hits so dropping a self hit still leaves `depth`.
 */
export function cutRun(run: RankedRun, depth: number, ignoreIdenticalIds: boolean): RankedRun {
  const out: RankedRun = new Map();
  for (const [qid, hits] of run) out.set(qid, (ignoreIdenticalIds ? withoutSelfHit(hits, qid) : hits).slice(0, depth));
  return out;
}

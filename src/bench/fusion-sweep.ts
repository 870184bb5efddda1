/**
 * `--fusion-weights`: a linear hybrid's component runs re-fused at each weight (the first component gets w,
 * the second 1 - w) and scored, so the report can draw the curve. Choosing the best point of a curve measured
 * on the test queries is optimistic; `--tune-split` picks the weight on another split's queries (NFCorpus dev,
 * SciFact train) and the report reads the test score at that weight.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RankedRun } from '../ranking.js';
import { UserError } from '../errors.js';
import { loadSplitQueries, type LoadedDataset } from '../datasets/loaders.js';
import { evaluateRanked, type EvalOptions } from '../eval/evaluate.js';
import { deepestCutoff, type MetricName } from '../eval/metrics.js';
import { checkWeights } from '../systems/hybrid-draft.js';
import { fuseRuns, type LinearFusion } from '../fusion/fuse.js';
import type { RunResources } from '../retrieval/resources.js';
import { retrieve } from '../retrieval/retrieve.js';
import type { HybridSystem } from '../systems/system.js';
import type { Qrels } from '../types.js';
import { cutRun, retrievalDepth } from './cut-run.js';

/** A swept hybrid: fused in process, linear, two components. */
export type SweepableSystem = HybridSystem & { fusion: LinearFusion };

export const isSweepable = (s: { kind: string }): s is SweepableSystem => {
  const h = s as HybridSystem;
  return h.kind === 'hybrid' && h.engine === 'fusion' && h.fusion.method === 'linear' && h.components.length === 2;
};

export interface SweepPoint {
  /** The first component's weight (the second gets 1 - weight). */
  weight: number;
  /** Mean of each metric over the scored queries. */
  mean: Record<string, number>;
}

export interface FusionSweep {
  /** The hybrid system whose component runs were re-fused. */
  system: string;
  /** Over the run's own (test) queries. */
  points: SweepPoint[];
  /** With --tune-split: the curve on that split's queries, and the weight its primary metric picks (ties: the first). */
  tuned?: { split: string; queries: number; points: SweepPoint[]; weight: number };
}

export interface SweepContext {
  weights: readonly number[];
  ignoreIdenticalIds: boolean;
  eval: EvalOptions;
}

/** The weights as two-component weight pairs: each in [0, 1] (the pair sums to 1 by construction). */
export function checkSweepWeights(weights: readonly number[]): void {
  if (weights.length === 0) throw new Error('no weights');
  for (const w of weights) checkWeights([w, +(1 - w).toFixed(12)], 2);
}

/** Score the component runs fused at each weight. */
export function sweepPoints(system: SweepableSystem, runs: readonly RankedRun[], queryIds: readonly string[], qrels: Qrels, ctx: SweepContext): SweepPoint[] {
  // Scored, never written: as deep as the deepest cutoff.
  const depth = deepestCutoff(ctx.eval.metrics);
  return ctx.weights.map((weight) => {
    const fusion: LinearFusion = { ...system.fusion, weights: [weight, +(1 - weight).toFixed(12)] };
    const run = cutRun(fuseRuns(runs, fusion, queryIds, retrievalDepth(depth, ctx.ignoreIdenticalIds)), depth, ctx.ignoreIdenticalIds);
    return { weight, mean: evaluateRanked(qrels, run, ctx.eval).mean };
  });
}

/** The weight with the highest mean of `metric` (the first on ties). */
export function bestWeight(points: readonly SweepPoint[], metric: MetricName): number {
  let best = points[0];
  for (const p of points) if (p.mean[metric] > best.mean[metric]) best = p;
  return best.weight;
}

/** The first of `candidates` the dataset has qrels for (`--tune-split dev,train` serves NFCorpus and SciFact alike). */
export function tuneSplitOf(ds: Pick<LoadedDataset, 'name' | 'folder' | 'split'>, candidates: readonly string[]): string {
  const found = candidates.find((s) => s !== ds.split && existsSync(join(ds.folder, 'qrels', `${s}.tsv`)));
  if (found) return found;
  const available = existsSync(join(ds.folder, 'qrels')) ? readdirSync(join(ds.folder, 'qrels')).filter((f) => f.endsWith('.tsv')).map((f) => f.slice(0, -4)) : [];
  throw new UserError(
    `--tune-split ${candidates.join(',')}: ${ds.name} has no qrels for ${candidates.length > 1 ? 'any of them' : 'it'} besides the measured split ${ds.split} ` +
      `(qrels there: ${available.join(', ') || 'none'}); tuning needs queries other than the test ones`,
  );
}

/**
 * The sweep of one system on the dataset's test queries and, with `tuneSplit`, on that split's queries: the same
 * corpus and components, retrieved again for those queries (vectors of passages come from the run's memo).
 */
export async function sweepSystem(
  system: SweepableSystem,
  testRuns: readonly RankedRun[],
  ds: LoadedDataset,
  res: RunResources,
  ctx: SweepContext & { tuneSplits?: string[]; maxQueries?: number },
): Promise<FusionSweep> {
  const sweep: FusionSweep = { system: system.id, points: sweepPoints(system, testRuns, ds.queries.map((q) => q.id), ds.qrels, ctx) };
  if (!ctx.tuneSplits) return sweep;
  const tuneSplit = tuneSplitOf(ds, ctx.tuneSplits);
  const split = await loadSplitQueries(ds.folder, tuneSplit, ctx.maxQueries);
  const tuneDs: LoadedDataset = { ...ds, split: tuneSplit, queries: split.queries, qrels: split.qrels };
  const runs: RankedRun[] = [];
  for (const [i, c] of system.components.entries()) runs.push((await retrieve(c, tuneDs, system.depths[i], res)).hits);
  const points = sweepPoints(system, runs, split.queries.map((q) => q.id), split.qrels, ctx);
  return { ...sweep, tuned: { split: tuneSplit, queries: split.queries.length, points, weight: bestWeight(points, ctx.eval.metrics[0]) } };
}

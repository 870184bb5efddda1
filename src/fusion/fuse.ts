/**
 * Score fusion of ranked lists, as OpenSearch neural-search 2.19 computes it (normalization-processor and
 * score-ranker-processor; docs/FUSION.md gives the formulas and where ranx differs), so an embedded fusion and
 * the cluster's hybrid query rank alike. Arithmetic is float32 step by step like the Java code, and the output
 * is in the shared ranking order (src/ranking.ts).
 */
import { type RankedRun, rankingCompare, type Scored } from '../ranking.js';

export type Normalization = 'min-max' | 'l2';
export type Combination = 'arithmetic' | 'harmonic' | 'geometric';

/** Reciprocal rank fusion: sum over components of 1 / (rankConstant + rank), rank from 1. */
export interface RrfFusion {
  method: 'rrf';
  rankConstant: number;
}

/** Normalise each component's scores, then a weighted mean of them per doc. */
export interface LinearFusion {
  method: 'linear';
  normalization: Normalization;
  combination: Combination;
  /** One per component, each in [0, 1], summing to 1. */
  weights: number[];
}

export type FusionSpec = RrfFusion | LinearFusion;

export const DEFAULT_RANK_CONSTANT = 60;
/** OpenSearch's rank_constant bounds. */
export const RANK_CONSTANT_RANGE = [1, 10_000] as const;
/** OpenSearch accepts weights whose sum is within this of 1. */
export const WEIGHT_SUM_TOLERANCE = 0.01;

const f = Math.fround;

/** min-max: (s - min) / (max - min); the minimum becomes 0.001 (not 0, so it still counts), a lone max 1. */
const MIN_MAX_FLOOR = f(0.001);

function minMax(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  const range = f(max - min);
  return scores.map((s) => {
    if (max === min && s === max) return 1;
    const n = f(f(s - min) / range);
    return n === 0 ? MIN_MAX_FLOOR : n;
  });
}

/** l2: s / sqrt(sum of squares) over the component's list; 0 when that norm is 0. */
function l2(scores: readonly number[]): number[] {
  let sum = 0;
  for (const s of scores) sum = f(sum + f(s * s));
  const norm = f(Math.sqrt(sum));
  return scores.map((s) => (norm === 0 ? 0 : f(s / norm)));
}

/** 1 / (k + rank) rounded to 10 decimals, then to float32 (OpenSearch: BigDecimal HALF_UP, floatValue). */
const rrfScore = (rankConstant: number, rank: number): number => f(Number((1 / (rankConstant + rank)).toFixed(10)));

function normalise(list: readonly Scored[], spec: FusionSpec): number[] {
  if (spec.method === 'rrf') return list.map((_, i) => rrfScore(spec.rankConstant, i + 1));
  const scores = list.map((h) => f(h.score));
  return spec.normalization === 'min-max' ? minMax(scores) : l2(scores);
}

/**
 * One doc's normalised scores (0 where a component did not return it) into one score. Arithmetic counts a
 * missing component as 0 with its weight; harmonic and geometric skip scores <= 0 (as OpenSearch does).
 */
function combine(scores: readonly number[], spec: FusionSpec): number {
  if (spec.method === 'rrf') return scores.reduce((a, s) => f(a + s), 0);
  const w = spec.weights.map(f);
  let sumW = 0;
  switch (spec.combination) {
    case 'arithmetic': {
      let sum = 0;
      scores.forEach((s, i) => {
        if (s < 0) return;
        sum = f(sum + f(s * w[i]));
        sumW = f(sumW + w[i]);
      });
      return sumW === 0 ? 0 : f(sum / sumW);
    }
    case 'harmonic': {
      let sumH = 0;
      scores.forEach((s, i) => {
        if (s <= 0) return;
        sumW = f(sumW + w[i]);
        sumH = f(sumH + f(w[i] / s));
      });
      return sumH > 0 ? f(sumW / sumH) : 0;
    }
    case 'geometric': {
      let lnSum = 0;
      scores.forEach((s, i) => {
        if (s <= 0) return;
        sumW = f(sumW + w[i]);
        lnSum = f(lnSum + w[i] * Math.log(s));
      });
      return sumW === 0 ? 0 : f(Math.exp(f(lnSum / sumW)));
    }
  }
}

/**
 * Fuse one query's component lists (each in ranking order, already cut to that component's depth) into every
 * doc any of them returned, in ranking order. An empty component contributes nothing.
 */
export function fuseLists(lists: readonly (readonly Scored[])[], spec: FusionSpec): Scored[] {
  if (spec.method === 'linear' && spec.weights.length !== lists.length) {
    throw new Error(`${spec.weights.length} weights for ${lists.length} components`);
  }
  const perDoc = new Map<string, number[]>();
  lists.forEach((list, c) => {
    const normalised = normalise(list, spec);
    list.forEach((h, i) => {
      let scores = perDoc.get(h.id);
      if (!scores) {
        scores = new Array<number>(lists.length).fill(0);
        perDoc.set(h.id, scores);
      }
      scores[c] = normalised[i];
    });
  });
  const out: Scored[] = [];
  for (const [id, scores] of perDoc) out.push({ id, score: combine(scores, spec) });
  return out.sort(rankingCompare);
}

/** The spec in words, e.g. `RRF k=60` or `min-max, arithmetic mean, weights 0.3/0.7`. */
export function describeFusion(spec: FusionSpec): string {
  if (spec.method === 'rrf') return `RRF k=${spec.rankConstant}`;
  return `${spec.normalization}, ${spec.combination} mean, weights ${spec.weights.join('/')}`;
}

/** Fuse component runs query by query (in `queryIds` order), keeping the top `depth` of each fused list. */
export function fuseRuns(runs: readonly RankedRun[], spec: FusionSpec, queryIds: readonly string[], depth: number): RankedRun {
  return new Map(queryIds.map((q) => [q, fuseLists(runs.map((r) => r.get(q) ?? []), spec).slice(0, depth)]));
}

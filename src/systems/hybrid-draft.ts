/**
 * A hybrid system from what a user wrote (an `--arms` item or a systems-file entry), checked: every rule that
 * OpenSearch's normalization and score-ranker processors enforce is enforced here first, as a one-line
 * UserError (the systems file adds its file, line and field).
 */
import { UserError } from '../errors.js';
import { engineOf } from '../engines/registry.js';
import type { ComponentDraft, HybridDraft } from './build.js';
import { DEFAULT_FUSION_DEPTH, type HybridEngine } from './system.js';
import { DEFAULT_RANK_CONSTANT, RANK_CONSTANT_RANGE, WEIGHT_SUM_TOLERANCE, type Combination, type FusionSpec, type Normalization } from '../fusion/fuse.js';

export const NORMALIZATIONS: readonly Normalization[] = ['min-max', 'l2'];
export const COMBINATIONS: readonly Combination[] = ['arithmetic', 'harmonic', 'geometric'];
export const FUSION_METHODS = ['rrf', 'linear'] as const;

export interface HybridRequest {
  components: ComponentDraft[];
  method: (typeof FUSION_METHODS)[number];
  rankConstant?: number;
  normalization?: Normalization;
  combination?: Combination;
  /** One per component; default equal. */
  weights?: number[];
  /** One for every component, or one per component; default DEFAULT_FUSION_DEPTH. */
  depths?: number[];
  engine: HybridEngine;
  id?: string;
  label?: string;
}

const fmt = (xs: readonly number[]) => xs.map((x) => String(x)).join(', ');

/** Weights for n components: each in [0, 1], summing to 1 (within OpenSearch's tolerance of 0.01). */
export function checkWeights(weights: readonly number[], n: number): void {
  if (weights.length !== n) throw new UserError(`${weights.length} weights (${fmt(weights)}) for ${n} components: give one weight per component`);
  const bad = weights.find((w) => !Number.isFinite(w) || w < 0 || w > 1);
  if (bad !== undefined) throw new UserError(`fusion weight ${bad} is outside [0, 1]`);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) throw new UserError(`fusion weights ${fmt(weights)} sum to ${+sum.toFixed(6)}, not 1`);
}

function fusionOf(r: HybridRequest): FusionSpec {
  const n = r.components.length;
  if (r.method === 'rrf') {
    if (r.weights || r.normalization || r.combination) {
      throw new UserError('RRF takes only a rank constant k: weights, normalization and combination belong to linear fusion');
    }
    const k = r.rankConstant ?? DEFAULT_RANK_CONSTANT;
    const [lo, hi] = RANK_CONSTANT_RANGE;
    if (!Number.isInteger(k) || k < lo || k > hi) throw new UserError(`RRF rank constant k must be an integer from ${lo} to ${hi}, got ${k}`);
    return { method: 'rrf', rankConstant: k };
  }
  if (r.rankConstant !== undefined) throw new UserError('the rank constant k belongs to RRF, not linear fusion');
  const weights = r.weights ?? Array.from({ length: n }, () => +(1 / n).toFixed(6));
  checkWeights(weights, n);
  return { method: 'linear', normalization: r.normalization ?? 'min-max', combination: r.combination ?? 'arithmetic', weights };
}

function depthsOf(r: HybridRequest): number[] {
  const n = r.components.length;
  const given = r.depths ?? [DEFAULT_FUSION_DEPTH];
  if (given.length !== 1 && given.length !== n) throw new UserError(`${given.length} depths for ${n} components: give one for all, or one per component`);
  const bad = given.find((d) => !Number.isInteger(d) || d < 1);
  if (bad !== undefined) throw new UserError(`fusion depth must be a positive integer, got ${bad}`);
  return given.length === 1 ? Array.from({ length: n }, () => given[0]) : given;
}

/** The draft, or a UserError saying what is wrong. */
export function hybridDraft(r: HybridRequest): HybridDraft {
  if (r.components.length < 2) throw new UserError(`a hybrid needs at least two components, got ${r.components.length}`);
  const fusion = fusionOf(r);
  const depths = depthsOf(r);
  let components = r.components;
  const on = engineOf(r.engine).componentEngines;
  if (on) {
    const kinds = components.map((c) => c.kind).sort().join('+');
    if (kinds !== 'dense+lexical') throw new UserError(`the ${r.engine} engine fuses one lexical and one dense component (a match and a knn sub-query), got ${kinds}`);
    if (new Set(depths).size > 1) throw new UserError(`the ${r.engine} engine takes one depth for both components (the hybrid query's pagination_depth), got ${depths.join(', ')}`);
    components = components.map((c): ComponentDraft => (c.kind === 'dense' ? { ...c, engine: on.dense } : { ...c, engine: on.lexical }));
  }
  return {
    kind: 'hybrid',
    components,
    depths,
    fusion,
    engine: r.engine,
    ...(r.id !== undefined ? { id: r.id } : {}),
    ...(r.label !== undefined ? { label: r.label } : {}),
  };
}

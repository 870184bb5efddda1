import { UserError } from '../errors.js';

/** A measure in trec_eval's `name.k` spelling: 'ndcg_cut.10', 'map_cut.10', 'recall.10', 'P.10', 'recip_rank.10'. */
export type MetricName = string;

export type MeasureKind = 'ndcg_cut' | 'map_cut' | 'recall' | 'P' | 'recip_rank';

export interface Measure {
  kind: MeasureKind;
  k: number;
}

const DISPLAY: Record<MeasureKind, string> = {
  ndcg_cut: 'NDCG',
  map_cut: 'MAP',
  recall: 'Recall',
  P: 'P',
  recip_rank: 'MRR',
};

/** Accepted spellings of each measure, lower-cased (trec_eval, pytrec_eval keys, BEIR/MTEB labels). */
const ALIASES: Record<string, MeasureKind> = {
  ndcg_cut: 'ndcg_cut',
  ndcg: 'ndcg_cut',
  map_cut: 'map_cut',
  map: 'map_cut',
  recall: 'recall',
  p: 'P',
  precision: 'P',
  recip_rank: 'recip_rank',
  mrr: 'recip_rank',
};

const VALID_FORMS =
  'trec_eval names ndcg_cut.10, map_cut.10, recall.10, P.10, recip_rank.10 (also ndcg_cut_10) ' +
  'or labels NDCG@10, MAP@10, Recall@10, P@10, MRR@10 (any positive integer k)';

/** Parse any accepted spelling of a measure into its canonical trec_eval name, e.g. 'NDCG@10' -> 'ndcg_cut.10'. */
export function parseMetricName(s: string): MetricName {
  const m = /^([A-Za-z_]+?)(?:@|\.|_)(\d+)$/.exec(s.trim());
  const kind = m ? ALIASES[m[1].toLowerCase()] : undefined;
  const k = m ? Number(m[2]) : 0;
  if (!kind || !Number.isSafeInteger(k) || k < 1) throw new UserError(`unknown metric "${s}": use ${VALID_FORMS}`);
  return metricName(kind, k);
}

/** The canonical name of a measure: metricName('ndcg_cut', 10) = 'ndcg_cut.10'. */
export function metricName(kind: MeasureKind, k: number): MetricName {
  return `${kind}.${k}`;
}

/** The kind and cutoff of a canonical metric name (as returned by parseMetricName). */
export function measureOf(m: MetricName): Measure {
  const dot = m.lastIndexOf('.');
  return { kind: m.slice(0, dot) as MeasureKind, k: Number(m.slice(dot + 1)) };
}

/** 'ndcg_cut.10' -> 'NDCG@10'. */
export function displayName(m: MetricName): string {
  const { kind, k } = measureOf(m);
  return `${DISPLAY[kind]}@${k}`;
}

/** The name trec_eval prints for a measure: 'ndcg_cut.10' -> 'ndcg_cut_10', 'P.10' -> 'P_10'. */
export function trecEvalName(m: MetricName): string {
  return m.replace('.', '_');
}

/** What the measures need to know about one query's judgments, computed once per query. */
export interface Judgments {
  /** Grade per judged doc, negative grades clamped to 0 (they count as non-relevant). */
  grades: Map<string, number>;
  /** R: rows with grade >= 1. */
  numRelevant: number;
  /** Positive grades sorted descending: the ideal ranking's gains. */
  idealGains: number[];
}

export function judgmentsOf(qrelsOfQuery: Map<string, number> | undefined): Judgments {
  const grades = new Map<string, number>();
  const idealGains: number[] = [];
  let numRelevant = 0;
  for (const [doc, grade] of qrelsOfQuery ?? []) {
    const g = Math.max(grade, 0);
    grades.set(doc, g);
    if (g >= 1) numRelevant++;
    if (g > 0) idealGains.push(g);
  }
  idealGains.sort((a, b) => b - a);
  return { grades, numRelevant, idealGains };
}

/** DCG of the first k gains with linear gain: sum of gain_i / log2(i + 1) over ranks i = 1..k (trec_eval order). */
function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, gains.length);
  for (let i = 0; i < n; i++) if (gains[i] !== 0) sum += gains[i] / Math.log2(i + 2);
  return sum;
}

/**
 * One measure for one query. `rankedGains` holds the grade (>= 0) of each retrieved doc in ranking order;
 * it may be shorter than k (as if padded with non-relevant docs). Sums run in rank order, as trec_eval's do.
 */
export function measureQuery(measure: Measure, rankedGains: readonly number[], j: Judgments): number {
  const { kind, k } = measure;
  const n = Math.min(k, rankedGains.length);
  switch (kind) {
    case 'ndcg_cut': {
      const ideal = dcg(j.idealGains, k);
      return ideal === 0 ? 0 : dcg(rankedGains, k) / ideal;
    }
    case 'map_cut': {
      if (j.numRelevant === 0) return 0;
      let relSoFar = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) if (rankedGains[i] >= 1) sum += ++relSoFar / (i + 1);
      return sum / j.numRelevant;
    }
    case 'recall':
      return j.numRelevant === 0 ? 0 : countRelevant(rankedGains, n) / j.numRelevant;
    case 'P':
      return countRelevant(rankedGains, n) / k;
    case 'recip_rank':
      for (let i = 0; i < n; i++) if (rankedGains[i] >= 1) return 1 / (i + 1);
      return 0;
  }
}

function countRelevant(rankedGains: readonly number[], n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (rankedGains[i] >= 1) c++;
  return c;
}

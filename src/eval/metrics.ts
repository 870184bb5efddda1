import { UserError } from '../errors.js';
import { MEASURES, type MeasureKind } from './measures.js';

/** A measure in trec_eval's `name.k` spelling: 'ndcg_cut.10', 'map_cut.10', 'recall.10', 'P.10', 'recip_rank.10'. */
export type MetricName = string;

export interface Measure {
  kind: MeasureKind;
  k: number;
}

const KINDS = Object.keys(MEASURES) as MeasureKind[];

/** The cutoff of every report unless told otherwise (bench -k, the eval defaults, regression matrices). */
export const DEFAULT_CUTOFF = 10;

/** The measures every report leads with, at cutoff k: NDCG@k, MAP@k, Recall@k (BEIR's and the article's three). */
export function headlineMetrics(k = DEFAULT_CUTOFF): MetricName[] {
  return (['ndcg_cut', 'map_cut', 'recall'] as const).map((kind) => metricName(kind, k));
}

/** Accepted spellings of each measure, lower-cased: trec_eval's name, the report label, and the record's aliases. */
const SPELLINGS = new Map<string, MeasureKind>(
  KINDS.flatMap((kind) => [kind, MEASURES[kind].label, ...MEASURES[kind].aliases].map((s) => [s.toLowerCase(), kind] as const)),
);

const VALID_FORMS =
  `trec_eval names ${KINDS.map((kind) => metricName(kind, DEFAULT_CUTOFF)).join(', ')} (also ${trecEvalName(metricName(KINDS[0], DEFAULT_CUTOFF))}) ` +
  `or labels ${KINDS.map((kind) => `${MEASURES[kind].label}@${DEFAULT_CUTOFF}`).join(', ')} (any positive integer k)`;

/** Parse any accepted spelling of a measure into its canonical trec_eval name, e.g. 'NDCG@10' -> 'ndcg_cut.10'. */
export function parseMetricName(s: string): MetricName {
  const m = /^([A-Za-z_]+?)(?:@|\.|_)(\d+)$/.exec(s.trim());
  const kind = m ? SPELLINGS.get(m[1].toLowerCase()) : undefined;
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
  return `${MEASURES[kind].label}@${k}`;
}

/** The name trec_eval prints for a measure: 'ndcg_cut.10' -> 'ndcg_cut_10', 'P.10' -> 'P_10'. */
export function trecEvalName(m: MetricName): string {
  return m.replace('.', '_');
}

/** The deepest cutoff among the metrics: how many ranked docs scoring them reads per query. */
export function deepestCutoff(metrics: readonly MetricName[]): number {
  return Math.max(...metrics.map((m) => measureOf(m).k));
}

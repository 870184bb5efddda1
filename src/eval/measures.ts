/**
 * The measures, one record each (in the spirit of ir-measures): how it is spelled, which grades count, what caps it,
 * and its value for one query. Names, parsing, display, trec_eval output and the report's "capped" caution all read
 * these records, so a new measure is one record here plus its rule in docs/METRICS.md.
 */

/**
 * trec_eval's relevance_level (its `-l`, default 1): a judged grade counts as relevant from this value up. One per
 * evaluation: R (a query's relevant docs) is counted with it once and shared by every measure.
 */
export const RELEVANCE_LEVEL = 1;

export const isRelevant = (grade: number): boolean => grade >= RELEVANCE_LEVEL;

/** What the measures need to know about one query's judgments, computed once per query. */
export interface Judgments {
  /** Grade per judged doc, negative grades clamped to 0 (they count as non-relevant). */
  grades: Map<string, number>;
  /** R: rows with a relevant grade (isRelevant). */
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
    if (isRelevant(g)) numRelevant++;
    if (g > 0) idealGains.push(g);
  }
  idealGains.sort((a, b) => b - a);
  return { grades, numRelevant, idealGains };
}

/**
 * When a query's number of relevant docs R, not the system, bounds a measure at cutoff k: the best value such a
 * query can reach, and whether the median query of a dataset is bound (the comparison then says so).
 */
export interface CapRule {
  best(R: number, k: number): number;
  capped(medianR: number, k: number): boolean;
}

/** k places for R relevant docs (MAP@k, Recall@k): at most min(1, k/R); a query without relevant docs scores 0. */
const FEWER_PLACES_THAN_RELEVANT: CapRule = {
  best: (R, k) => (R === 0 ? 0 : Math.min(1, k / R)),
  capped: (medianR, k) => medianR > k,
};

/** R relevant docs for k places (P@k): at most min(1, R/k). */
const FEWER_RELEVANT_THAN_PLACES: CapRule = {
  best: (R, k) => Math.min(1, R / k),
  capped: (medianR, k) => medianR < k,
};

/**
 * One measure. Each takes one parameter, the cutoff k (any positive integer): only the first k docs of the ranking
 * count, and a shorter ranking is padded with non-relevant docs.
 */
export interface MeasureRecord {
  /** The report's label before `@k`: `NDCG` (NDCG@10). */
  label: string;
  /** Other accepted spellings, lower case (pytrec_eval keys, BEIR/MTEB labels); the key and label are always accepted. */
  aliases: readonly string[];
  /**
   * Which grades count: `binary` = a retrieved doc is relevant when isRelevant(grade) (grade >= RELEVANCE_LEVEL), and
   * value() gets 1 or 0 per doc; `graded` = its gain is its grade (grades <= 0 give none), as trec_eval's ndcg does.
   */
  relevance: 'binary' | 'graded';
  /** What bounds it besides the system (null: a perfect ranking reaches 1 whatever R). */
  cap: CapRule | null;
  /**
   * The value for one query. `gains` holds, per retrieved doc in ranking order (possibly fewer than k), its grade
   * (>= 0) for a graded measure or 1/0 (relevant or not) for a binary one; sums run in rank order, as trec_eval's do.
   */
  value(gains: readonly number[], k: number, j: Judgments): number;
}

/** DCG of the first k gains with linear gain: sum of gain_i / log2(i + 1) over ranks i = 1..k (trec_eval order). */
function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const n = Math.min(k, gains.length);
  for (let i = 0; i < n; i++) if (gains[i] !== 0) sum += gains[i] / Math.log2(i + 2);
  return sum;
}

/** Relevant docs among the first k of a binary ranking. */
function countRelevant(relevant: readonly number[], k: number): number {
  let c = 0;
  for (let i = 0; i < Math.min(k, relevant.length); i++) c += relevant[i];
  return c;
}

/** Keyed by trec_eval's name of the measure family, the canonical spelling before `.k` (`ndcg_cut` in ndcg_cut.10). */
export const MEASURES = {
  ndcg_cut: {
    label: 'NDCG',
    aliases: [],
    relevance: 'graded',
    cap: null,
    value: (gains, k, j) => {
      const ideal = dcg(j.idealGains, k);
      return ideal === 0 ? 0 : dcg(gains, k) / ideal;
    },
  },
  map_cut: {
    label: 'MAP',
    aliases: [],
    relevance: 'binary',
    cap: FEWER_PLACES_THAN_RELEVANT,
    value: (gains, k, j) => {
      if (j.numRelevant === 0) return 0;
      let relSoFar = 0;
      let sum = 0;
      for (let i = 0; i < Math.min(k, gains.length); i++) if (gains[i] === 1) sum += ++relSoFar / (i + 1);
      return sum / j.numRelevant;
    },
  },
  recall: {
    label: 'Recall',
    aliases: [],
    relevance: 'binary',
    cap: FEWER_PLACES_THAN_RELEVANT,
    value: (gains, k, j) => (j.numRelevant === 0 ? 0 : countRelevant(gains, k) / j.numRelevant),
  },
  P: {
    label: 'P',
    aliases: ['precision'],
    relevance: 'binary',
    cap: FEWER_RELEVANT_THAN_PLACES,
    value: (gains, k) => countRelevant(gains, k) / k,
  },
  // trec_eval's recip_rank has no cutoff; this one is cut at k (docs/METRICS.md "Where trec_eval differs").
  recip_rank: {
    label: 'MRR',
    aliases: [],
    relevance: 'binary',
    cap: null,
    value: (gains, k) => {
      for (let i = 0; i < Math.min(k, gains.length); i++) if (gains[i] === 1) return 1 / (i + 1);
      return 0;
    },
  },
} as const satisfies Record<string, MeasureRecord>;

export type MeasureKind = keyof typeof MEASURES;

/** One measure for one query: the record's value on the first k grades, made 1/0 for a binary measure. */
export function valueOf(kind: MeasureKind, rankedGrades: readonly number[], k: number, j: Judgments): number {
  const m: MeasureRecord = MEASURES[kind];
  return m.value(m.relevance === 'binary' ? rankedGrades.slice(0, k).map((g) => (isRelevant(g) ? 1 : 0)) : rankedGrades, k, j);
}

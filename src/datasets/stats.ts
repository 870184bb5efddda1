import { UserError } from '../errors.js';
import { wordCount } from '../word-count.js';
import type { DatasetFacts } from './identity.js';
import type { LoadedDataset } from './loaders.js';

/** Length statistics in words (docs/DATASETS.md). `avg` is kept at full precision; round only for display. */
interface LengthStats {
  avg: number;
  median: number;
  count: number;
}

/** Thresholds of the expected-bias rule: POOR if r < poorBelow; GOOD from goodFrom; EXCELLENT also needs q >= questionShareForExcellent. */
export interface BiasRule {
  poorBelow: number;
  goodFrom: number;
  questionShareForExcellent: number;
}

export const DEFAULT_BIAS_RULE: BiasRule = Object.freeze({ poorBelow: 2, goodFrom: 5, questionShareForExcellent: 0.5 });

type BiasLabel = 'POOR' | 'FAIR' | 'GOOD' | 'EXCELLENT';

export interface DatasetStats {
  name: string;
  displayName: string;
  split: string;
  queries: LengthStats;
  /** Measured from corpus.jsonl, or the registry's (article's) values when the corpus is not at hand. */
  passages: LengthStats | null;
  passagesSource: 'corpus' | 'registry' | null;
  /** Why the corpus could not be measured (one line). */
  unavailableReason?: string;
  /** r = avg passage length / avg query length. */
  lengthRatio: number | null;
  /** q = share of question-like queries. */
  questionShare: number;
  bias: BiasLabel | null;
  testQueries: number;
  corpusDocs: number | null;
  /** Things a reader must know about this row (fallbacks, values differing from the registry/article). */
  notes: string[];
}

/** Mean and median (mean of the two middle values for an even count); all 0 for no values. */
export function lengthStats(lengths: ArrayLike<number>): LengthStats {
  const n = lengths.length;
  if (n === 0) return { avg: 0, median: 0, count: 0 };
  const sorted = Float64Array.from(lengths).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  const mid = n >> 1;
  return { avg: sum / n, median: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, count: n };
}

const QUESTION_WORDS = new Set([
  'what', 'how', 'why', 'when', 'where', 'which', 'who', 'whom', 'whose',
  'is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'should', 'will', 'would', 'has', 'have', 'may', 'might',
]);

/** A final "?", possibly inside closing quotes or brackets (`... is it?"`). */
const ENDS_WITH_QUESTION_MARK = /\?["'\u201d\u2019)\]]*$/;

/** Ends with "?" or starts with an interrogative/auxiliary word (its leading letters, so "What's" counts). */
export function isQuestionLike(text: string): boolean {
  const t = text.trim();
  if (ENDS_WITH_QUESTION_MARK.test(t)) return true;
  const first = /^[a-z]+/.exec(t.toLowerCase())?.[0];
  return first !== undefined && QUESTION_WORDS.has(first);
}

function questionShare(texts: string[]): number {
  return texts.length === 0 ? 0 : texts.filter(isQuestionLike).length / texts.length;
}

/** POOR if r < poorBelow; FAIR below goodFrom; GOOD from goodFrom; EXCELLENT when also q >= questionShareForExcellent. */
export function biasLabel(r: number, q: number, rule: BiasRule = DEFAULT_BIAS_RULE): BiasLabel {
  if (r < rule.poorBelow) return 'POOR';
  if (r < rule.goodFrom) return 'FAIR';
  return q >= rule.questionShareForExcellent ? 'EXCELLENT' : 'GOOD';
}

/** Check user-given thresholds: finite, 0 <= poorBelow <= goodFrom, share within [0, 1]. */
export function validateBiasRule(rule: BiasRule): BiasRule {
  const { poorBelow, goodFrom, questionShareForExcellent: share } = rule;
  if (![poorBelow, goodFrom, share].every(Number.isFinite)) throw new UserError('bias rule thresholds must be numbers');
  if (poorBelow < 0 || poorBelow > goodFrom) {
    throw new UserError(`bias rule: need 0 <= poor-below <= good-from, got poor-below ${poorBelow} and good-from ${goodFrom}`);
  }
  if (share < 0 || share > 1) throw new UserError(`bias rule: question share must be within [0, 1], got ${share}`);
  return rule;
}

interface StatsInput {
  /** The dataset's name and, when they apply, the registry's facts (the article's lengths and counts it is compared with). */
  dataset: DatasetFacts;
  split: string;
  /** Texts of the split's judged queries. */
  queryTexts: string[];
  /** Word counts of every corpus document's `text`, or null when the corpus is not available. */
  passageLengths: ArrayLike<number> | null;
  unavailableReason?: string;
  /** Set when the lengths cover only part of the dataset (a smoke run), e.g. "500 of 3633 documents". */
  subset?: string;
  rule?: BiasRule;
}

/** Stats of a loaded dataset, over what was loaded (a --max-docs/--max-queries run is flagged as a subset). */
export function computeStats(ds: LoadedDataset, dataset: DatasetFacts, rule?: BiasRule): DatasetStats {
  const cut = [
    ds.corpus.size < ds.corpusDocsTotal && `${ds.corpus.size} of ${ds.corpusDocsTotal} documents`,
    ds.queries.length < ds.judgedQueriesTotal && `${ds.queries.length} of ${ds.judgedQueriesTotal} queries`,
  ].filter((s): s is string => typeof s === 'string');
  return statsFromLengths({
    dataset,
    split: ds.split,
    queryTexts: ds.queries.map((q) => q.text),
    passageLengths: ds.textWords,
    ...(cut.length > 0 && { subset: cut.join(', ') }),
    rule,
  });
}

/**
 * One row of the article's table. Without a corpus the passage columns fall back to the registry's
 * known (article) values, marked `passagesSource: 'registry'`, so the bias label can still be given.
 * A dataset without registry facts (a folder of the user's) is compared with nothing: its row is its data.
 */
export function statsFromLengths(input: StatsInput): DatasetStats {
  const { dataset, split } = input;
  const info = dataset.registry;
  const queries = lengthStats(input.queryTexts.map(wordCount));
  const q = questionShare(input.queryTexts);
  const notes: string[] = dataset.mismatch ? [dataset.mismatch] : [];

  let passages: LengthStats | null = null;
  let passagesSource: DatasetStats['passagesSource'] = null;
  const known = info?.knownAvgPassageLength !== undefined && info.knownMedianPassageLength !== undefined
    ? { avg: info.knownAvgPassageLength, median: info.knownMedianPassageLength, count: info.corpusDocs }
    : null;
  if (input.subset !== undefined) {
    notes.push(`computed over a subset (${input.subset}): not comparable with the article or the registry`);
  }
  // Only a registry dataset's full data is compared with the registry.
  const compareWith = input.subset === undefined ? info : undefined;
  if (input.passageLengths) {
    passages = lengthStats(input.passageLengths);
    passagesSource = 'corpus';
    if (compareWith && known && Math.abs(passages.avg - known.avg) >= 0.005) {
      notes.push(
        `avg passage length measured ${passages.avg.toFixed(2)}, the article reports ${known.avg.toFixed(2)}: the article's value ` +
          `is not reproducible from this corpus with the documented definition (median: ${passages.median}, article ${known.median})`,
      );
    }
    if (compareWith && passages.count !== compareWith.corpusDocs) {
      notes.push(`corpus has ${passages.count} documents, the registry expects ${compareWith.corpusDocs}`);
    }
  } else if (known) {
    passages = known;
    passagesSource = 'registry';
    notes.push(`passage columns from the registry, not measured (${input.unavailableReason ?? 'corpus not available'})`);
  } else {
    notes.push(`passage columns unavailable (${input.unavailableReason ?? 'corpus not available'})`);
  }
  if (compareWith && split === 'test' && queries.count !== compareWith.testQueries) {
    notes.push(`${queries.count} judged test queries, the registry expects ${compareWith.testQueries}`);
  }

  const lengthRatio = passages && queries.avg > 0 ? passages.avg / queries.avg : null;
  return {
    name: dataset.name,
    displayName: dataset.displayName,
    split,
    queries,
    passages,
    passagesSource,
    ...(input.unavailableReason !== undefined && { unavailableReason: input.unavailableReason }),
    lengthRatio,
    questionShare: q,
    bias: lengthRatio === null ? null : biasLabel(lengthRatio, q, input.rule),
    testQueries: queries.count,
    corpusDocs: passages ? passages.count : null,
    notes,
  };
}

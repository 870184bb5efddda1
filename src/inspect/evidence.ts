/**
 * Per-query evidence of one comparison (B vs A on a dataset): which queries B loses and wins most, and for each
 * what both systems retrieved, marked with the qrels. Pure: the run files, qrels, query texts and passages are read
 * by gather.ts; every view (terminal, markdown, JSON, report.html) renders the `InspectModel` built here.
 */
import { isRelevant } from '../eval/measures.js';
import { compareUtf8, type Scored } from '../ranking.js';
import { wordCount } from '../word-count.js';
import { byRelevantCount, rankShift, type RankShiftRow, type RelevantCountRow } from './summary.js';
import type { LengthAnalysis } from '../eval/length-analysis.js';

/** What the qrels say of a retrieved doc: relevant (grade >= 1), judged with a lower grade, or not judged at all. */
export type Relevance = { kind: 'relevant'; grade: number } | { kind: 'judged'; grade: number } | { kind: 'unjudged' };

export const relevanceOf = (grade: number | undefined): Relevance =>
  grade === undefined ? { kind: 'unjudged' } : isRelevant(grade) ? { kind: 'relevant', grade } : { kind: 'judged', grade };

export interface Hit {
  /** 1-based, in the shared ranking order (the run file's order for a run bench wrote). */
  rank: number;
  docId: string;
  score: number;
  relevance: Relevance;
}

/** A relevant passage of the query and where each system ranked it (null: not within the run's depth). */
export interface RelevantDoc {
  docId: string;
  grade: number;
  rankA: number | null;
  rankB: number | null;
}

export interface QueryEvidence {
  id: string;
  text: string;
  words: number;
  /** Why it is shown: among the largest losses or gains (1-based place), or named with --query. */
  reason: { kind: 'loss' | 'gain'; place: number } | { kind: 'asked' };
  /** Every metric the results hold, A's and B's value and B - A; the first is the one queries are ranked by. */
  measures: { metric: string; a: number; b: number; diff: number }[];
  hitsA: Hit[];
  hitsB: Hit[];
  relevant: RelevantDoc[];
}

export interface SystemRef {
  /** Column id in the report model (the system id unless runs disagree on it). */
  id: string;
  label: string;
  /** Hits per query in its run file (the deepest "where did it go" can see). */
  depth: number;
}

export interface ComparisonEvidence {
  dataset: string;
  displayName: string;
  a: SystemRef;
  b: SystemRef;
  /** The measure losses and gains are ranked by. */
  metric: string;
  /** Hits shown per system. */
  k: number;
  /** Queries both systems scored. */
  queries: number;
  shown: QueryEvidence[];
  rankShift: RankShiftRow[];
  byRelevantCount: RelevantCountRow[];
  /** The run's own gain-by-query-length view of this comparison (results.json), when it has one. */
  lengthAnalysis: LengthAnalysis | null;
}

export interface Passage {
  title: string;
  text: string;
}

export interface InspectDataset {
  name: string;
  displayName: string;
  comparisons: ComparisonEvidence[];
  /** The passages shown (hits and relevant docs of the shown queries), read from the corpus the run used. */
  passages: Record<string, Passage>;
}

export interface InspectModel {
  datasets: InspectDataset[];
}

/** A system's side of a comparison: its per-query scores and its run, ranked (self hits already dropped). */
export interface Side {
  ref: SystemRef;
  perQuery: Record<string, Record<string, number>>;
  run: Map<string, Scored[]>;
}

export interface Selection {
  /** Largest losses and largest gains shown, each. */
  top: number;
  /** Queries shown whatever their change (--query). */
  asked: readonly string[];
  metric: string;
  k: number;
}

/** The queries to show: the `top` largest losses and gains of `metric` (ties by query id), then the asked ones. */
function selectQueries(ids: readonly string[], diff: (q: string) => number, sel: Pick<Selection, 'top' | 'asked'>): { id: string; reason: QueryEvidence['reason'] }[] {
  const byDiff = (sign: 1 | -1) =>
    ids
      .filter((q) => Math.sign(diff(q)) === sign)
      .sort((x, y) => sign * (diff(y) - diff(x)) || compareUtf8(x, y))
      .slice(0, sel.top);
  const chosen = [
    ...byDiff(-1).map((id, i) => ({ id, reason: { kind: 'loss' as const, place: i + 1 } })),
    ...byDiff(1).map((id, i) => ({ id, reason: { kind: 'gain' as const, place: i + 1 } })),
  ];
  const taken = new Set(chosen.map((c) => c.id));
  return [...chosen, ...sel.asked.filter((q) => !taken.has(q)).map((id) => ({ id, reason: { kind: 'asked' as const } }))];
}

/** 1-based rank of each doc of a ranked list. */
const ranksOf = (hits: readonly Scored[]): Map<string, number> => new Map(hits.map((h, i) => [h.id, i + 1]));

/** Rank of the first relevant doc in a ranked list, null when none is within it. */
function firstRelevantRank(hits: readonly Scored[], judged: ReadonlyMap<string, number> | undefined): number | null {
  const i = hits.findIndex((h) => isRelevant(judged?.get(h.id) ?? 0));
  return i < 0 ? null : i + 1;
}

/** The evidence of one comparison; `texts` holds at least the shown queries' texts. */
export function compareQueries(
  dataset: { name: string; displayName: string },
  a: Side,
  b: Side,
  qrels: ReadonlyMap<string, ReadonlyMap<string, number>>,
  texts: ReadonlyMap<string, string>,
  sel: Selection,
  lengthAnalysis: LengthAnalysis | null,
): ComparisonEvidence {
  const ids = Object.keys(a.perQuery).filter((q) => q in b.perQuery);
  const metrics = [sel.metric, ...Object.keys(a.perQuery[ids[0]] ?? {}).filter((m) => m !== sel.metric && ids.every((q) => m in b.perQuery[q]))];
  const diff = (q: string) => b.perQuery[q][sel.metric] - a.perQuery[q][sel.metric];
  const hitsOf = (side: Side, q: string, judged: ReadonlyMap<string, number> | undefined): Hit[] =>
    (side.run.get(q) ?? []).slice(0, sel.k).map((h, i) => ({ rank: i + 1, docId: h.id, score: h.score, relevance: relevanceOf(judged?.get(h.id)) }));

  const shown = selectQueries(ids, diff, sel).map(({ id, reason }): QueryEvidence => {
    const judged = qrels.get(id);
    const ranksA = ranksOf(a.run.get(id) ?? []);
    const ranksB = ranksOf(b.run.get(id) ?? []);
    const text = texts.get(id) ?? '';
    return {
      id,
      text,
      words: wordCount(text),
      reason,
      measures: metrics.map((m) => ({ metric: m, a: a.perQuery[id][m], b: b.perQuery[id][m], diff: b.perQuery[id][m] - a.perQuery[id][m] })),
      hitsA: hitsOf(a, id, judged),
      hitsB: hitsOf(b, id, judged),
      relevant: [...(judged ?? [])]
        .filter(([, g]) => isRelevant(g))
        .map(([docId, grade]) => ({ docId, grade, rankA: ranksA.get(docId) ?? null, rankB: ranksB.get(docId) ?? null }))
        .sort((x, y) => y.grade - x.grade || (best(x) - best(y)) || compareUtf8(x.docId, y.docId)),
    };
  });

  const firstRanks = ids.map((q) => ({
    a: firstRelevantRank(a.run.get(q) ?? [], qrels.get(q)),
    b: firstRelevantRank(b.run.get(q) ?? [], qrels.get(q)),
    diff: diff(q),
    relevant: [...(qrels.get(q) ?? new Map<string, number>()).values()].filter(isRelevant).length,
    a0: a.perQuery[q][sel.metric],
    b0: b.perQuery[q][sel.metric],
  }));
  return {
    dataset: dataset.name,
    displayName: dataset.displayName,
    a: a.ref,
    b: b.ref,
    metric: sel.metric,
    k: sel.k,
    queries: ids.length,
    shown,
    rankShift: rankShift(firstRanks, sel.k, Math.min(a.ref.depth, b.ref.depth)),
    byRelevantCount: byRelevantCount(firstRanks),
    lengthAnalysis,
  };
}

/** The better of a relevant doc's two ranks, for ordering (unretrieved last). */
const best = (r: RelevantDoc): number => Math.min(r.rankA ?? Infinity, r.rankB ?? Infinity);

/** Doc ids whose passages the views show: every shown hit and relevant doc. */
export function shownDocIds(comparisons: readonly ComparisonEvidence[]): Set<string> {
  const ids = new Set<string>();
  for (const c of comparisons) {
    for (const q of c.shown) {
      for (const h of [...q.hitsA, ...q.hitsB]) ids.add(h.docId);
      for (const r of q.relevant) ids.add(r.docId);
    }
  }
  return ids;
}

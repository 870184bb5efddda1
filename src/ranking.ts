/**
 * The one ranking order used everywhere (embedded search, run files, scoring), as trec_eval/pytrec_eval
 * rank: scores rounded to float32 first, score descending, ties by doc id descending in UTF-8 byte order.
 */
import type { Query } from './types.js';

export interface Scored {
  id: string;
  score: number;
}

/** Per query, hits in this ranking order. Engines return runs in this form, so nothing re-sorts. */
export type RankedRun = Map<string, Scored[]>;

/** A run of ranked hits, one list per query in the order of `queries`. */
export function rankedRunOf(queries: readonly Query[], hits: readonly Scored[][]): RankedRun {
  if (hits.length !== queries.length) throw new Error(`${hits.length} hit lists for ${queries.length} queries`);
  return new Map(queries.map((q, i) => [q.id, hits[i]]));
}

/**
 * Compare two strings by the byte order of their UTF-8 encodings. Code point order equals UTF-8 byte
 * order; JavaScript's `<` compares UTF-16 code units, which disagrees for U+E000..U+FFFF vs astral chars.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Only when one side is a surrogate (astral char) and the other is not does UTF-16 order lie.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sort comparator: float32 score descending, then doc id descending (UTF-8 bytes). */
export function rankingCompare(a: Scored, b: Scored): number {
  const fa = Math.fround(a.score);
  const fb = Math.fround(b.score);
  if (fa !== fb) return fb - fa;
  return compareUtf8(b.id, a.id);
}

/** The docs of one query in ranking order. */
export function rankDocs(scores: Map<string, number>): Scored[] {
  const out: Scored[] = [];
  for (const [id, score] of scores) out.push({ id, score });
  return out.sort(rankingCompare);
}

/** The hits without the query's own doc: BEIR's ignore_identical_ids (a doc whose id equals the query id). */
export function withoutSelfHit(hits: readonly Scored[], queryId: string): readonly Scored[] {
  return hits.some((h) => h.id === queryId) ? hits.filter((h) => h.id !== queryId) : hits;
}

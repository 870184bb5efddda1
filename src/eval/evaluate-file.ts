import { forEachRunLine } from '../formats/run-file.js';
import type { Qrels } from '../types.js';
import { QueryScorer, type EvalOptions, type EvalResult } from './evaluate.js';

/** A run file's scores, and how deep it evidently is: the most hits any scored query held (self hit removed). */
export interface RunFileEval {
  result: EvalResult;
  maxHits: number;
}

/**
 * A copy of s that does not share memory with the line it was cut from: V8 keeps a long substring
 * (13+ chars) as a view of its parent, and each query id is kept after its group is scored, which would
 * otherwise pin one 64 KiB read (src/formats/lines.ts) per query.
 */
function detach(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * Score a TREC run file without holding it in memory. Run files are normally grouped by query, so each
 * group is scored as soon as the next query starts and only one query's docs are held. A query whose
 * lines are split into several groups (a shuffled file) is scored in a second pass that collects just
 * those queries; the result is the same as reading the whole file (last score wins per doc).
 */
export async function scoreRunFile(qrels: Qrels, path: string, opts: EvalOptions): Promise<RunFileEval> {
  const scorer = new QueryScorer(qrels, opts);
  const finished = new Set<string>();
  const split = new Set<string>();
  let current: string | undefined;
  let collecting = false; // current query has qrels and was not split
  let docs = new Map<string, number>();
  const finish = () => {
    if (current === undefined) return;
    if (collecting) scorer.score(current, docs);
    else scorer.see(current);
    finished.add(current);
    docs = new Map();
  };
  await forEachRunLine(path, ({ qid, docId, score }) => {
    if (qid !== current) {
      finish();
      current = detach(qid);
      if (finished.has(current)) split.add(current);
      collecting = scorer.wants(current) && !split.has(current);
    }
    if (collecting) docs.set(docId, score);
  });
  finish();

  const wanted = [...split].filter((q) => scorer.wants(q));
  if (wanted.length > 0) {
    const collect = new Map(wanted.map((q) => [q, new Map<string, number>()]));
    await forEachRunLine(path, ({ qid, docId, score }) => collect.get(qid)?.set(docId, score));
    for (const [qid, all] of collect) scorer.score(qid, all);
  }
  return { result: scorer.result(), maxHits: scorer.maxHits };
}

/** scoreRunFile's scores alone. */
export async function evaluateRunFile(qrels: Qrels, path: string, opts: EvalOptions): Promise<EvalResult> {
  return (await scoreRunFile(qrels, path, opts)).result;
}

import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateRanked, type EvalOptions } from '../../src/eval/evaluate.js';
import { evaluateRunFile } from '../../src/eval/evaluate-file.js';
import { checkInvariants } from '../../src/eval/invariants.js';
import { rankTop } from '../../src/eval/top-k.js';
import { rankDocs } from '../../src/ranking.js';
import type { Qrels, Run } from '../../src/types.js';
import { tempFile } from '../helpers/inputs.js';

const METRICS = ['ndcg_cut.5', 'map_cut.5', 'recall.5', 'P.5', 'recip_rank.5', 'ndcg_cut.10', 'map_cut.10', 'recall.10'];
const OPTS: EvalOptions = { metrics: METRICS, ignoreIdenticalIds: true, averageOverAllQrels: false };

// Small id alphabets so runs and qrels overlap and ids collide with query ids (self hits); astral and
// private-use characters so UTF-8 vs UTF-16 order matters. Scores from a few values so ties abound.
const docId = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'q1', '\uE000', '\u{1F600}', '10', '9');
const queryId = fc.constantFrom('q1', 'q2', 'q3');
const score = fc.oneof(fc.constantFrom(0, -0, 0.5, 1, 1.00000001, 2), fc.double({ min: -10, max: 10, noNaN: true }));
const grade = fc.integer({ min: -2, max: 3 });

const qrelsArb = fc.dictionary(queryId, fc.dictionary(docId, grade, { minKeys: 1 }), { minKeys: 1 });
const runArb = fc.dictionary(queryId, fc.dictionary(docId, score));

const toMaps = (o: Record<string, Record<string, number>>): Map<string, Map<string, number>> =>
  new Map(Object.entries(o).map(([q, d]) => [q, new Map(Object.entries(d))]));

function overlaps(qrels: Qrels, run: Run): boolean {
  return [...run.keys()].some((q) => qrels.has(q));
}

describe('properties', () => {
  it('scoring hits already in ranking order (the bench path) equals scoring the unordered run', () => {
    fc.assert(
      fc.property(qrelsArb, runArb, fc.boolean(), fc.boolean(), (q, r, all, ignoreIds) => {
        const qrels = toMaps(q);
        const run = toMaps(r);
        fc.pre(overlaps(qrels, run));
        const opts = { ...OPTS, averageOverAllQrels: all, ignoreIdenticalIds: ignoreIds };
        const ranked = new Map([...run].map(([qid, docs]) => [qid, rankDocs(docs)]));
        expect(evaluateRanked(qrels, ranked, opts)).toEqual(evaluate(qrels, run, opts));
      }),
    );
  });

  it('sanity invariants hold on random qrels and runs', () => {
    fc.assert(
      fc.property(qrelsArb, runArb, fc.boolean(), (q, r, all) => {
        const qrels = toMaps(q);
        const run = toMaps(r);
        fc.pre(overlaps(qrels, run));
        const result = evaluate(qrels, run, { ...OPTS, averageOverAllQrels: all });
        expect(checkInvariants(qrels, result, 5)).toEqual([]);
        expect(checkInvariants(qrels, result, 10)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('rankTop equals rankDocs cut at k, minus the excluded id', () => {
    fc.assert(
      fc.property(fc.dictionary(docId, score), fc.integer({ min: 1, max: 6 }), fc.option(docId), (d, k, exclude) => {
        const scores = new Map(Object.entries(d));
        const expected = rankDocs(scores).filter((s) => s.id !== exclude).slice(0, k);
        expect(rankTop(scores, k, exclude ?? undefined)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('shuffling the lines of a run file never changes a score (file path = in-memory path)', async () => {
    await fc.assert(
      fc.asyncProperty(qrelsArb, runArb, fc.func(fc.integer()), async (q, r, order) => {
        const qrels = toMaps(q);
        const run = toMaps(r);
        fc.pre(overlaps(qrels, run) && [...run.values()].every((d) => d.size > 0));
        // Distinct (query, doc) lines, so order cannot matter; fc.func gives a reproducible shuffle key.
        const lines = [...run].flatMap(([qid, docs]) => [...docs].map(([id, s]) => `${qid} Q0 ${id} 0 ${Object.is(s, -0) ? '-0' : s} t`));
        const shuffled = lines.map((l, i) => ({ l, key: order(i) })).sort((x, y) => x.key - y.key).map((x) => x.l);
        const path = tempFile('run.trec', '');
        writeFileSync(path, shuffled.join('\n'));
        expect(await evaluateRunFile(qrels, path, OPTS)).toEqual(evaluate(qrels, run, OPTS));
      }),
      { numRuns: 150 },
    );
  });
});

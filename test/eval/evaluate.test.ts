import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { evaluate, type EvalOptions } from '../../src/eval/evaluate.js';
import { evaluateRunFile } from '../../src/eval/evaluate-file.js';
import { readQrels } from '../../src/formats/qrels-file.js';
import type { Qrels, Run } from '../../src/types.js';
import { nested, tempFile } from '../helpers/inputs.js';

const ALL = ['ndcg_cut.3', 'map_cut.3', 'recall.3', 'P.3', 'recip_rank.3', 'ndcg_cut.5', 'map_cut.5', 'recall.5', 'ndcg_cut.10', 'map_cut.10', 'recall.10', 'P.10', 'recip_rank.10'];
const opts = (o: Partial<EvalOptions> = {}): EvalOptions => ({ metrics: ALL, ignoreIdenticalIds: true, averageOverAllQrels: false, ...o });

/** Per-query values of query `q`. */
function scoreOf(qrels: Qrels, run: Run, q = 'q', o: Partial<EvalOptions> = {}) {
  return evaluate(qrels, run, opts(o)).perQuery.get(q)!;
}

describe('measures (docs/METRICS.md "Measures")', () => {
  it('graded relevance, linear gain, ideal DCG over all judged docs incl. ones beyond k and never retrieved', () => {
    // Judged: a=2, b=1, c=2, d=1 (never retrieved), e=0. Ranking: x(unjudged) a e b c.
    const qrels = nested({ q: { a: 2, b: 1, c: 2, d: 1, e: 0 } });
    const run = nested({ q: { x: 0.9, a: 0.8, e: 0.7, b: 0.6, c: 0.1 } });
    const v = scoreOf(qrels, run);
    // NDCG@3: DCG = 2/log2(3) (a at rank 2); ideal gains [2,2,1,1] cut at 3: 2/log2(2) + 2/log2(3) + 1/log2(4).
    // = 1.26186 / 3.76186 = 0.33544. With exponential gain (2^g - 1) it would be 3/log2(3) / (3 + 3/log2(3) + 0.5) = 0.3512.
    expect(v['ndcg_cut.3']).toBe(2 / Math.log2(3) / (2 + 2 / Math.log2(3) + 1 / 2));
    expect(v['ndcg_cut.3']).toBeCloseTo(0.33544, 5);
    // NDCG@5: DCG = 2/log2(3) + 1/log2(5) + 2/log2(6); ideal = 2 + 2/log2(3) + 1/2 + 1/log2(5).
    expect(v['ndcg_cut.5']).toBe((2 / Math.log2(3) + 1 / Math.log2(5) + 2 / Math.log2(6)) / (2 + 2 / Math.log2(3) + 1 / 2 + 1 / Math.log2(5)));
    // R = 4 (a, b, c, d). MAP@3: only a (rank 2) is relevant in the top 3: (1/2) / R = 0.125 — not / min(R, k) = 0.1667.
    expect(v['map_cut.3']).toBe(0.125);
    // MAP@5: relevant at ranks 2, 4, 5 -> (1/2 + 2/4 + 3/5) / 4 = 1.6 / 4 = 0.4.
    expect(v['map_cut.5']).toBeCloseTo(0.4, 15);
    expect(v['recall.3']).toBe(1 / 4);
    expect(v['recall.5']).toBe(3 / 4);
    expect(v['P.3']).toBe(1 / 3);
    expect(v['recip_rank.3']).toBe(1 / 2);
  });

  it('uses Math.log2 for the discount (bit for bit; log(x)/LN2 differs at rank 8)', () => {
    // One relevant doc at rank 8: NDCG@10 = (1/log2(9)) / (1/log2(2)) = 1/log2(9) = 0.31546.
    const docs: Record<string, number> = {};
    for (let i = 1; i <= 8; i++) docs[`d${i}`] = 10 - i; // d1 scores 9 (rank 1) ... d8 scores 2 (rank 8)
    const v = scoreOf(nested({ q: { d8: 1 } }), nested({ q: docs }));
    expect(v['ndcg_cut.10']).toBe(1 / Math.log2(9));
    expect(1 / Math.log2(9)).not.toBe(1 / (Math.log(9) / Math.LN2)); // the test can tell the two apart
    expect(v['map_cut.10']).toBe(1 / 8);
    expect(v['recip_rank.10']).toBe(1 / 8);
  });

  it('negative grades count as 0: not relevant, no gain, not in the ideal ranking', () => {
    const v = scoreOf(nested({ q: { a: -1, b: 1 } }), nested({ q: { a: 1, b: 0.5 } }));
    // b at rank 2, R = 1: NDCG = (1/log2(3)) / 1; MAP = (1/2)/1; Recall = 1.
    expect(v['ndcg_cut.10']).toBe(1 / Math.log2(3));
    expect(v['map_cut.10']).toBe(0.5);
    expect(v['recall.10']).toBe(1);
  });

  it('a run shorter than k is padded with non-relevant docs; P@k divides by k', () => {
    const v = scoreOf(nested({ q: { a: 1, b: 1 } }), nested({ q: { a: 1 } }));
    expect(v['P.10']).toBe(1 / 10); // 1 relevant / k = 10, not / 1 retrieved
    expect(v['recall.10']).toBe(1 / 2);
    expect(v['map_cut.10']).toBe(1 / 2); // (1/1) / R = 2
    expect(v['ndcg_cut.10']).toBe(1 / (1 + 1 / Math.log2(3))); // DCG 1; ideal 1/log2(2) + 1/log2(3)
  });
});

describe('ranking (docs/METRICS.md "Ranking")', () => {
  it('ties straddling rank k are broken by doc id descending', () => {
    // a=1 then b, c, d tie at 0.5: order a, d, c, b. Only b is relevant: rank 4.
    const v = scoreOf(nested({ q: { b: 1 } }), nested({ q: { a: 1, b: 0.5, c: 0.5, d: 0.5 } }));
    expect(v['recall.3']).toBe(0); // b is outside the top 3 although it ties with rank 2 and 3
    expect(v['recip_rank.3']).toBe(0); // MRR@k is cut at k too (trec_eval's recip_rank is not)
    expect(v['recall.5']).toBe(1);
    expect(v['recip_rank.10']).toBe(1 / 4);
    // Mirror: relevant d wins the tie and sits at rank 2.
    expect(scoreOf(nested({ q: { d: 1 } }), nested({ q: { a: 1, b: 0.5, c: 0.5, d: 0.5 } }))['recip_rank.3']).toBe(1 / 2);
  });

  it('doc ids compare as strings, not numbers: "9" > "10"', () => {
    const v = scoreOf(nested({ q: { '10': 1 } }), nested({ q: { '10': 1, '9': 1 } }));
    expect(v['recip_rank.10']).toBe(1 / 2); // "9" first (byte '9' > '1')
  });

  it('scores equal only after float32 rounding tie', () => {
    // 1.00000001 != 1 as doubles but Math.fround(1.00000001) === 1 (1e-8 < half an ulp, 2^-24 ≈ 6e-8),
    // so a (1.00000001) and b (1) tie and b wins on id. With double comparison a would be first.
    expect(Math.fround(1.00000001)).toBe(1);
    const v = scoreOf(nested({ q: { b: 1 } }), nested({ q: { a: 1.00000001, b: 1 } }));
    expect(v['recip_rank.10']).toBe(1);
    // 1.0000001 rounds to 1 + 2^-23, a different float32: no tie, a first, b at rank 2.
    expect(scoreOf(nested({ q: { b: 1 } }), nested({ q: { a: 1.0000001, b: 1 } }))['recip_rank.10']).toBe(1 / 2);
  });

  it('ties between an astral docno and one in U+E000-U+FFFF follow UTF-8 bytes, not UTF-16', () => {
    // U+1F600 is F0 9F 98 80 in UTF-8, U+E000 is EE 80 80: descending bytes puts U+1F600 first.
    // JavaScript's < compares UTF-16 units D83D vs E000 and would put U+E000 first.
    const astral = '\u{1F600}';
    const privateUse = '\uE000';
    expect(astral < privateUse).toBe(true); // the trap
    const v = scoreOf(nested({ q: { [astral]: 1 } }), nested({ q: { [privateUse]: 0.5, [astral]: 0.5 } }));
    expect(v['recip_rank.10']).toBe(1);
    expect(scoreOf(nested({ q: { [privateUse]: 1 } }), nested({ q: { [privateUse]: 0.5, [astral]: 0.5 } }))['recip_rank.10']).toBe(1 / 2);
  });
});

describe('which queries are averaged (docs/METRICS.md)', () => {
  // q1: a relevant at rank 1 (NDCG 1). q0: all grades 0. qneg: all grades negative. qmissing: not in the run.
  const qrels = nested({ q1: { a: 1 }, q0: { a: 0, b: 0 }, qneg: { a: -1, b: -2 }, qmissing: { a: 1 } });
  const run = nested({ q1: { a: 1, b: 0.5 }, q0: { a: 1 }, qneg: { a: 1, b: 2 }, qextra: { a: 1 } });

  it('default (BEIR): run ∩ qrels; all-0 and all-negative queries included with 0; missing ones skipped', () => {
    const r = evaluate(qrels, run, opts());
    expect([...r.perQuery.keys()]).toEqual(['q0', 'q1', 'qneg']); // UTF-8 byte order, as trec_eval prints
    expect(r.perQuery.get('q0')!['ndcg_cut.10']).toBe(0); // ideal DCG 0 -> 0
    expect(r.perQuery.get('qneg')!['map_cut.10']).toBe(0); // R = 0 -> 0, no crash
    expect(r.mean['ndcg_cut.10']).toBe(1 / 3); // (1 + 0 + 0) / 3, full precision: 0.3333333333333333
    expect(r.queriesScored).toBe(3);
    expect(r.qrelsQueriesMissingFromRun).toBe(1);
    expect(r.runQueriesWithoutQrels).toBe(1);
  });

  it('-c: every qrels query, a missing one scoring 0', () => {
    const r = evaluate(qrels, run, opts({ averageOverAllQrels: true }));
    expect([...r.perQuery.keys()]).toEqual(['q0', 'q1', 'qmissing', 'qneg']);
    expect(Object.values(r.perQuery.get('qmissing')!).every((x) => x === 0)).toBe(true);
    expect(r.mean['ndcg_cut.10']).toBe(1 / 4); // (1 + 0 + 0 + 0) / 4
    expect(r.queriesScored).toBe(4);
  });

  it('a run query with an empty result list is scored (all zeros)', () => {
    const r = evaluate(nested({ q1: { a: 1 }, q2: { a: 1 } }), nested({ q1: { a: 1 }, q2: {} }), opts());
    expect(r.queriesScored).toBe(2);
    expect(r.mean['recall.10']).toBe(0.5); // (1 + 0) / 2
  });

  it('no overlap is a UserError, with and without -c', () => {
    for (const averageOverAllQrels of [false, true]) {
      expect(() => evaluate(nested({ q1: { a: 1 } }), nested({ x: { a: 1 } }), opts({ averageOverAllQrels }))).toThrow(UserError);
    }
    expect(() => evaluate(nested({ q1: { a: 1 } }), nested({ x: { a: 1 } }), opts())).toThrow(/no query is in both the run \(1 queries, e.g. "x"\) and the qrels \(1 queries, e.g. "q1"\)/);
  });
});

describe('ignore_identical_ids (docs/METRICS.md)', () => {
  const qrels = nested({ q1: { d1: 1 } });
  const run = nested({ q1: { q1: 0.9, d1: 0.5 } });

  it('on: the self hit is dropped before ranking, so d1 moves to rank 1', () => {
    const r = evaluate(qrels, run, opts());
    expect(r.perQuery.get('q1')!['ndcg_cut.10']).toBe(1);
    expect(r.selfHitsRemoved).toBe(1);
  });

  it('off: the self hit takes rank 1 (trec_eval behaviour)', () => {
    const r = evaluate(qrels, run, opts({ ignoreIdenticalIds: false }));
    expect(r.perQuery.get('q1')!['ndcg_cut.10']).toBe(1 / Math.log2(3));
    expect(r.selfHitsRemoved).toBe(0);
  });
});

describe('run and qrels files (docs/METRICS.md "Inputs")', () => {
  it('a doc listed twice in a run keeps its last score', async () => {
    // a: 3 then 1 (last wins) -> ranking b(2), a(1): relevant a at rank 2. First-wins would give rank 1.
    const run = tempFile('run.trec', 'q Q0 a 1 3 t\nq Q0 b 2 2 t\nq Q0 a 3 1 t\n');
    const r = await evaluateRunFile(nested({ q: { a: 1 } }), run, opts());
    expect(r.perQuery.get('q')!['recip_rank.10']).toBe(1 / 2);
  });

  it('scores written as 1e-3, +7, -0 rank as decimal floats, -0 tying with 0', async () => {
    // b=7, a=0.001, then z=-0 and c=0 tie (-0 == 0) and z wins on id: b, a, z, c.
    const run = tempFile('run.trec', 'q Q0 a 1 1e-3 t\nq Q0 b 2 +7 t\nq Q0 z 3 -0 t\nq Q0 c 4 0 t\n');
    const r = await evaluateRunFile(nested({ q: { z: 1 } }), run, opts());
    expect(r.perQuery.get('q')!['recip_rank.10']).toBe(1 / 3);
  });

  it('a repeated qrels row: the last grade wins', async () => {
    const qrels = await readQrels(tempFile('qrels.tsv', 'query-id\tcorpus-id\tscore\nq\ta\t0\nq\ta\t1\n'));
    const r = evaluate(qrels, nested({ q: { a: 1 } }), opts());
    expect(r.perQuery.get('q')!['recall.10']).toBe(1);
  });

  it('a run file whose queries are split in several groups scores like the whole file', async () => {
    const lines = ['q1 Q0 a 1 1 t', 'q2 Q0 b 1 5 t', 'q1 Q0 b 2 2 t', 'q2 Q0 a 2 1 t', 'q1 Q0 a 3 0.5 t'];
    const r = await evaluateRunFile(nested({ q1: { a: 1 }, q2: { a: 1 } }), tempFile('run.trec', lines.join('\n')), opts());
    // q1: a last scored 0.5 -> b(2), a(0.5): rank 2. q2: b(5), a(1): rank 2.
    expect(r.perQuery.get('q1')!['recip_rank.10']).toBe(1 / 2);
    expect(r.perQuery.get('q2')!['recip_rank.10']).toBe(1 / 2);
  });
});

describe('determinism (docs/METRICS.md "Sanity invariants")', () => {
  it('the same run scored twice gives bit-identical numbers', () => {
    const qrels = nested({ q: { a: 2, b: 1 } });
    const run = nested({ q: { a: 0.3, b: 0.7, c: 0.5 } });
    expect(evaluate(qrels, run, opts())).toEqual(evaluate(qrels, run, opts()));
  });
});

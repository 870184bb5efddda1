import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateRunFile } from '../../src/eval/evaluate-file.js';
import { readQrels } from '../../src/formats/qrels-file.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

/**
 * Per-query values against pytrec_eval (trec_eval 9.0.x), bit for bit, on a real BM25 run (SciFact) and on a
 * random run full of ties and float32-only ties with graded qrels (NFCorpus). Expected values come from
 * test/fixtures/eval/pytrec_eval_expected.py. pytrec_eval's uncut recip_rank equals recip_rank.k for k >=
 * the run depth (100 and 80 here).
 */
const FIXTURES = 'test/fixtures/eval';
const METRICS: Record<string, string> = {
  'ndcg_cut.10': 'ndcg_cut_10',
  'map_cut.10': 'map_cut_10',
  'recall.10': 'recall_10',
  'P.10': 'P_10',
  'recall.100': 'recall_100',
  'ndcg_cut.100': 'ndcg_cut_100',
  'map_cut.100': 'map_cut_100',
  'recip_rank.1000': 'recip_rank',
};

describe.skipIf(!hasSharedBeir()).each([
  ['scifact', 'scifact-bm25-title-text', 300],
  ['nfcorpus', 'nfcorpus-random', 323],
])('parity with pytrec_eval on %s', (dataset, runName, queries) => {
  it(`${runName}: every query, every measure, identical doubles`, async () => {
    const qrels = await readQrels(`${SHARED_BEIR}/${dataset}/qrels/test.tsv`);
    const expected = JSON.parse(readFileSync(`${FIXTURES}/${runName}.pytrec_eval.json`, 'utf8')) as Record<string, Record<string, number>>;
    const result = await evaluateRunFile(qrels, `${FIXTURES}/${runName}.trec`, {
      metrics: Object.keys(METRICS),
      ignoreIdenticalIds: false,
      averageOverAllQrels: false,
    });
    expect(result.queriesScored).toBe(queries);
    expect(Object.keys(expected).length).toBe(queries);
    const mismatches: string[] = [];
    for (const [qid, values] of result.perQuery) {
      for (const [ours, theirs] of Object.entries(METRICS)) {
        if (values[ours] !== expected[qid][theirs]) mismatches.push(`${qid} ${ours}: ${values[ours]} vs ${expected[qid][theirs]}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

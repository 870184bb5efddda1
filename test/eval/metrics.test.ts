import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { displayName, parseMetricName, trecEvalName } from '../../src/eval/metrics.js';

describe('metric names', () => {
  it.each([
    ['ndcg_cut.10', 'ndcg_cut.10'],
    ['ndcg_cut_10', 'ndcg_cut.10'],
    ['NDCG@10', 'ndcg_cut.10'],
    ['nDCG@5', 'ndcg_cut.5'],
    ['map_cut.10', 'map_cut.10'],
    ['MAP@10', 'map_cut.10'],
    ['recall.100', 'recall.100'],
    ['Recall@100', 'recall.100'],
    ['recall_10', 'recall.10'],
    ['P.10', 'P.10'],
    ['P@10', 'P.10'],
    ['P_10', 'P.10'],
    ['precision@3', 'P.3'],
    ['MRR@10', 'recip_rank.10'],
    ['recip_rank.10', 'recip_rank.10'],
    [' Recall@10 ', 'recall.10'],
  ])('%j -> %s', (input, canonical) => {
    expect(parseMetricName(input)).toBe(canonical);
  });

  it.each(['ndcg', 'NDCG@0', 'NDCG@x', 'bpref.10', 'map', 'ndcg@-1', 'P@1.5', ''])('rejects %j listing the valid forms', (input) => {
    expect(() => parseMetricName(input)).toThrow(UserError);
    expect(() => parseMetricName(input)).toThrow(/use trec_eval names ndcg_cut\.10.*NDCG@10/);
  });

  it('display and trec_eval names', () => {
    expect(['ndcg_cut.10', 'map_cut.10', 'recall.100', 'P.10', 'recip_rank.10'].map(displayName)).toEqual(['NDCG@10', 'MAP@10', 'Recall@100', 'P@10', 'MRR@10']);
    expect(['ndcg_cut.10', 'P.10'].map(trecEvalName)).toEqual(['ndcg_cut_10', 'P_10']);
  });
});

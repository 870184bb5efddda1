import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { measureDataset } from '../../src/datasets/measure.js';
import { getDataset } from '../../src/datasets/registry.js';
import { resolveDataset } from '../../src/datasets/source.js';
import {
  biasLabel, computeStats, DEFAULT_BIAS_RULE, isQuestionLike, lengthStats, statsFromLengths, validateBiasRule,
  type DatasetStats,
} from '../../src/datasets/stats.js';
import { wordCount } from '../../src/word-count.js';
import { describeWithShared, SHARED_BEIR as BEIR } from '../helpers/shared.js';

const measure = async (name: string) => (await measureDataset(await resolveDataset(name, { dataDir: BEIR, cacheDir: 'unused' }), 'test')).stats;
/** The registry's facts, as they apply to the md5-checked download (or a folder identified as it). */
const registryFacts = (name: string) => ({ name, displayName: getDataset(name).displayName, registry: getDataset(name) });

/** The article's columns as printed (2 decimals). */
function row(s: DatasetStats) {
  return {
    avgQ: s.queries.avg.toFixed(2), medQ: s.queries.median,
    avgP: s.passages?.avg.toFixed(2), medP: s.passages?.median, passages: s.corpusDocs, tests: s.testQueries, bias: s.bias,
  };
}

describe('length statistics', () => {
  it('counts whitespace-separated words; empty text is 0', () => {
    expect(wordCount('')).toBe(0);
    expect(wordCount('  \t\n ')).toBe(0);
    expect(wordCount(' a  b\tc\r\nd ')).toBe(4);
  });

  it('median is the middle value, or the mean of the two middle ones', () => {
    expect(lengthStats([5, 1, 3])).toEqual({ avg: 3, median: 3, count: 3 });
    expect(lengthStats([10, 1, 2, 4])).toEqual({ avg: 4.25, median: 3, count: 4 });
    expect(lengthStats([])).toEqual({ avg: 0, median: 0, count: 0 });
  });

  it('median lies between min and max and equals the sorted middle (property)', () => {
    fc.assert(fc.property(fc.array(fc.nat(1000), { minLength: 1 }), (xs) => {
      const s = lengthStats(xs);
      const sorted = [...xs].sort((a, b) => a - b);
      expect(s.median).toBeGreaterThanOrEqual(sorted[0]);
      expect(s.median).toBeLessThanOrEqual(sorted[sorted.length - 1]);
      const below = xs.filter((x) => x < s.median).length;
      const above = xs.filter((x) => x > s.median).length;
      expect(Math.max(below, above)).toBeLessThanOrEqual(xs.length / 2);
    }));
  });
});

describe('bias rule', () => {
  it('recognises question-like queries', () => {
    expect(isQuestionLike('what is the origin of COVID-19')).toBe(true);
    expect(isQuestionLike("What's new")).toBe(true);
    expect(isQuestionLike('Does aspirin help')).toBe(true);
    expect(isQuestionLike('aspirin fever?')).toBe(true);
    expect(isQuestionLike('is it "a question?"')).toBe(true);
    expect(isQuestionLike('He asked "why?" loudly.')).toBe(false);
    expect(isQuestionLike('Howard Hughes')).toBe(false);
    expect(isQuestionLike('0-dimensional biomaterials lack inductive properties.')).toBe(false);
    expect(isQuestionLike('')).toBe(false);
  });

  it('labels by r and q with the default thresholds 2, 5, 0.5', () => {
    expect(DEFAULT_BIAS_RULE).toEqual({ poorBelow: 2, goodFrom: 5, questionShareForExcellent: 0.5 });
    expect(biasLabel(1.99, 1)).toBe('POOR');
    expect(biasLabel(2, 1)).toBe('FAIR');
    expect(biasLabel(4.99, 1)).toBe('FAIR');
    expect(biasLabel(5, 0.49)).toBe('GOOD');
    expect(biasLabel(5, 0.5)).toBe('EXCELLENT');
  });

  it('uses configured thresholds, and validates them', () => {
    const rule = { poorBelow: 1, goodFrom: 20, questionShareForExcellent: 0.1 };
    expect(biasLabel(16.1, 0, rule)).toBe('FAIR');
    expect(biasLabel(20, 0.1, rule)).toBe('EXCELLENT');
    expect(biasLabel(0.9, 1, rule)).toBe('POOR');
    expect(validateBiasRule(rule)).toBe(rule);
    expect(() => validateBiasRule({ ...rule, poorBelow: 30 })).toThrow(UserError);
    expect(() => validateBiasRule({ ...rule, questionShareForExcellent: 1.5 })).toThrow(/within \[0, 1\]/);
    expect(() => validateBiasRule({ ...rule, goodFrom: Number.NaN })).toThrow(/must be numbers/);
  });
});

describeWithShared('stats on the real BEIR data (shared/beir)', () => {
  it('SciFact reproduces the article row exactly', async () => {
    const s = await measure('scifact');
    expect(row(s)).toEqual({ avgQ: '12.51', medQ: 12, avgP: '201.81', medP: 192, passages: 5183, tests: 300, bias: 'GOOD' });
    expect(s.passagesSource).toBe('corpus');
    expect(s.lengthRatio).toBeCloseTo(16.1, 1);
    expect(s.questionShare).toBe(0);
    expect(s.notes).toEqual([]);
  });

  it('NFCorpus: article query columns, passages 220.98 / 224 with a note that 232.10 is not reproducible', async () => {
    const s = await measure('nfcorpus');
    expect(row(s)).toEqual({ avgQ: '3.29', medQ: 2, avgP: '220.98', medP: 224, passages: 3633, tests: 323, bias: 'GOOD' });
    expect(s.lengthRatio).toBeCloseTo(67.1, 1);
    expect(s.questionShare.toFixed(2)).toBe('0.14');
    expect(s.notes).toEqual([expect.stringMatching(/measured 220\.98, the article reports 232\.10: .*not reproducible/)]);
  });

  it('TREC-COVID (no corpus here): measured query columns, passage columns and label from the registry', async () => {
    const covid = await measure('trec-covid');
    expect(row(covid)).toEqual({ avgQ: '10.60', medQ: 10, avgP: '148.64', medP: 155, passages: 171332, tests: 50, bias: 'EXCELLENT' });
    expect(covid.passagesSource).toBe('registry');
    expect(covid.unavailableReason).toBe(`no corpus.jsonl in ${BEIR}/trec-covid`);
    expect(covid.lengthRatio).toBeCloseTo(14.0, 1);
    expect(covid.questionShare).toBe(1);
  });

  it('ArguAna (rebuilt corpus): every column measured, equal to the article\'s and the registry\'s figures, POOR', async () => {
    const arguana = await measure('arguana');
    expect(row(arguana)).toEqual({ avgQ: '193.55', medQ: 174, avgP: '164.19', medP: 147, passages: 8674, tests: 1406, bias: 'POOR' });
    expect(arguana.passagesSource).toBe('corpus');
    expect(arguana.lengthRatio).toBeCloseTo(0.85, 2);
    expect(arguana.questionShare.toFixed(2)).toBe('0.03');
    expect(arguana.notes.some((n) => /registry/.test(n))).toBe(false);
  });

  it('without a registry fallback the passage columns and label are unavailable, query columns kept', () => {
    const s = statsFromLengths({ dataset: registryFacts('fiqa'), split: 'test', queryTexts: ['how do I save?'], passageLengths: null, unavailableReason: 'no corpus.jsonl in x' });
    expect(s).toMatchObject({ passages: null, passagesSource: null, lengthRatio: null, bias: null, corpusDocs: null, questionShare: 1 });
    expect(s.queries).toEqual({ avg: 4, median: 4, count: 1 });
    expect(s.notes).toContain('passage columns unavailable (no corpus.jsonl in x)');
    expect(s.notes).toContain('1 judged test queries, the registry expects 648');
  });

  it('computeStats on a smoke-run subset says so instead of comparing with the article', async () => {
    const ds = await loadDataset('nfcorpus', `${BEIR}/nfcorpus`, { split: 'test', maxQueries: 5, maxDocs: 200 });
    const s = computeStats(ds, registryFacts('nfcorpus'));
    expect(s.testQueries).toBe(5);
    expect(s.notes).toEqual([
      `computed over a subset (${ds.corpus.size} of 3633 documents, 5 of 323 queries): not comparable with the article or the registry`,
    ]);
  });

  it('computeStats on a loaded dataset equals the streaming measurement', async () => {
    const ds = await loadDataset('scifact', `${BEIR}/scifact`, { split: 'test' });
    expect(computeStats(ds, registryFacts('scifact'))).toEqual(await measure('scifact'));
  });
});

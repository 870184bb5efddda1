import { describe, expect, it } from 'vitest';
import { fmtChange, fmtCi, fmtCorrelation, fmtP, fmtPercent, fmtScore, fmtScoreInterval, pClause, signed } from '../../src/report/numbers.js';

describe('report numbers', () => {
  it('round half to even on exact ties, as trec_eval prints', () => {
    expect(fmtScore(0.03125)).toBe('0.0312');
    expect(fmtScore(0.03135)).toBe('0.0314'); // not an exact tie in binary: nearest
    expect(signed(-0.03125)).toBe('-0.0312');
  });

  it('sign every difference, zero included', () => {
    expect(signed(0)).toBe('+0.0000');
    expect(signed(-1e-17)).toBe('+0.0000');
    expect(signed(-0.00004)).toBe('+0.0000');
    expect(signed(-0.00005001)).toBe('-0.0001');
    expect(fmtCi([-0.0123, 0.02734])).toBe('[-0.0123, +0.0273]');
    expect(fmtScoreInterval([0.63456, 0.7])).toBe('[0.6346, 0.7000]');
    expect(fmtChange(0.0115)).toBe('+1.1%'); // 1.15 is below the tie in binary
    expect(fmtChange(null)).toBe('n/a');
  });

  it('p-values: three decimals, <0.001, or - when absent', () => {
    expect(fmtP(0.4375)).toBe('0.438');
    expect(fmtP(0.0009999)).toBe('<0.001');
    expect(fmtP(undefined)).toBe('-');
  });

  it('p-values in sentences read as comparisons', () => {
    expect(pClause(0.4375)).toBe('p = 0.438');
    expect(pClause(0.0001, 'Holm p')).toBe('Holm p < 0.001');
  });

  it('correlations with three decimals, shares as percentages, n/a when undefined', () => {
    expect(fmtCorrelation(-0.2264)).toBe('-0.226');
    expect(fmtCorrelation(null)).toBe('n/a');
    expect(fmtPercent(0.9731)).toBe('97.3%');
    expect(fmtPercent(null)).toBe('n/a');
  });
});

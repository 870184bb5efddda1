import { describe, expect, it } from 'vitest';
import { judgeMetric, worstVerdict } from '../../src/regress/verdict.js';

const judge = (got: number, opts: { pValue?: number | null; inputChanged?: boolean; tolerance?: number } = {}) =>
  judgeMetric({ metric: 'ndcg_cut.10', expected: 0.6651, got, tolerance: opts.tolerance ?? 0.001, inputChanged: opts.inputChanged ?? false, pValue: opts.pValue ?? null, alpha: 0.05 });

describe('verdicts', () => {
  it('OK within tolerance, boundary included (the subtraction\'s rounding is not a change)', () => {
    expect(judge(0.6651).verdict).toBe('OK');
    expect(judge(0.6661)).toMatchObject({ verdict: 'OK', pValue: null });
    expect(judge(0.6641).verdict).toBe('OK');
    expect(judge(0.66611).verdict).toBe('FAIL');
  });

  it('outside tolerance: OK* when the paired test is not significant, FAIL when it is or cannot be run', () => {
    expect(judge(0.68, { pValue: 0.05 })).toMatchObject({ verdict: 'OK*', pValue: 0.05, delta: expect.closeTo(0.0149, 12) });
    expect(judge(0.68, { pValue: 0.049 }).verdict).toBe('FAIL');
    expect(judge(0.64, { pValue: 0.0001 }).verdict).toBe('FAIL');
    expect(judge(0.64).verdict).toBe('FAIL');
  });

  it('a changed input overrides the metrics, within tolerance or not', () => {
    expect(judge(0.6651, { inputChanged: true })).toMatchObject({ verdict: 'CHANGED-INPUT', pValue: null });
    expect(judge(0.5, { inputChanged: true, pValue: 0.9 }).verdict).toBe('CHANGED-INPUT');
  });

  it('a condition takes its worst verdict', () => {
    expect(worstVerdict(['OK', 'OK'])).toBe('OK');
    expect(worstVerdict(['OK', 'OK*'])).toBe('OK*');
    expect(worstVerdict(['OK*', 'FAIL', 'OK'])).toBe('FAIL');
    expect(worstVerdict(['FAIL', 'CHANGED-INPUT'])).toBe('CHANGED-INPUT');
  });
});

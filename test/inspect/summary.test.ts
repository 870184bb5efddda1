/** The summary views' rows (src/inspect/summary.ts): each query in exactly one rank-shift row, the rows' rules. */
import { describe, expect, it } from 'vitest';
import { byRelevantCount, rankShift, type QueryRanks } from '../../src/inspect/summary.js';

const q = (a: number | null, b: number | null, diff = 0, relevant = 1): QueryRanks => ({ a, b, relevant, a0: 0.5, b0: 0.5 + diff, diff });

describe('rankShift', () => {
  const rows = [
    q(null, 3, 0.5), // gained into the top 10 (A: none in its run)
    q(14, 2, 0.4), // gained (A: beyond 10)
    q(9, 1, 0.6), // up 8
    q(4, 2, 0.2), // up 2
    q(2, 1, 0.3), // up 1
    q(1, 1), // same
    q(1, 2, -0.3), // down 1
    q(3, 7, -0.2), // down 4
    q(1, 10, -0.7), // down 9
    q(1, 37, -1), // lost, B has it at 37
    q(2, null, -0.6), // lost, not in B's 100
    q(20, 50), // neither
    q(null, null, 0, 0), // no relevant passage judged
  ];
  const byLabel = Object.fromEntries(rankShift(rows, 10, 100).map((r) => [r.label, r]));

  it('puts every query in exactly one row, with the mean change of its members', () => {
    expect(Object.values(byLabel).reduce((s, r) => s + r.queries, 0)).toBe(rows.length);
    expect(byLabel['gained into the top 10']).toEqual({ label: 'gained into the top 10', queries: 2, meanDiff: 0.45 });
    expect(byLabel['up 5 or more'].queries).toBe(1);
    expect(byLabel['up 2 to 4'].queries).toBe(1);
    expect(byLabel['up 1'].queries).toBe(1);
    expect(byLabel['same rank'].queries).toBe(1);
    expect(byLabel['down 1'].queries).toBe(1);
    expect(byLabel['down 2 to 4'].queries).toBe(1);
    expect(byLabel['down 5 or more'].queries).toBe(1);
    expect(byLabel['lost from the top 10, B ranks it 11-100']).toEqual({ label: 'lost from the top 10, B ranks it 11-100', queries: 1, meanDiff: -1 });
    expect(byLabel["lost from the top 10, not in B's 100"].queries).toBe(1);
    expect(byLabel['neither has it in the top 10'].queries).toBe(1);
    expect(byLabel['no relevant passage judged'].queries).toBe(1);
  });

  it('keeps empty rows (a fixed axis) with no mean, and has no "ranks it deeper" row when the runs are only k deep', () => {
    const rows10 = rankShift([q(1, 1)], 10, 10);
    expect(rows10.find((r) => r.label === 'up 1')).toEqual({ label: 'up 1', queries: 0, meanDiff: null });
    expect(rows10.map((r) => r.label)).not.toContain('lost from the top 10, B ranks it 11-10');
    expect(rows10).toHaveLength(11);
  });
});

describe('byRelevantCount', () => {
  it('groups queries by their number of relevant passages, empty groups left out', () => {
    const rows = byRelevantCount([q(1, 1, 0, 1), q(1, 2, -0.2, 1), q(1, 1, 0.4, 4), q(1, 1, 0.1, 30)]);
    expect(rows.map((r) => [r.label, r.queries, r.wins, r.ties, r.losses])).toEqual([
      ['1 relevant', 2, 0, 1, 1],
      ['3-5 relevant', 1, 1, 0, 0],
      ['21 or more relevant', 1, 1, 0, 0],
    ]);
    expect(rows[0].meanDiff).toBeCloseTo(-0.1, 12);
    expect(rows[0].meanB).toBeCloseTo(0.4, 12);
  });
});

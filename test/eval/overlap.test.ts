import { describe, expect, it } from 'vitest';
import { topKOverlap } from '../../src/eval/overlap.js';
import { type RankedRun, rankDocs } from '../../src/ranking.js';

/** A run as engines return it: each query's hits in the shared ranking order. */
const run = (entries: Record<string, Record<string, number>>): RankedRun =>
  new Map(Object.entries(entries).map(([q, docs]) => [q, rankDocs(new Map(Object.entries(docs)))]));

describe('topKOverlap', () => {
  it('is 1 when the approximate top k equals the exact one, whatever the scores', () => {
    const exact = run({ q: { a: 0.9, b: 0.8, c: 0.7 } });
    const approx = run({ q: { a: 0.95, b: 0.9, c: 0.85 } }); // e.g. (1 + cos) / 2
    expect(topKOverlap(approx, exact, 3)).toEqual({ meanOverlap: 1, perQuery: new Map([['q', 1]]) });
  });

  it('counts the exact top-k docs found in the approximate top k, per query, then averages', () => {
    const exact = run({ q1: { a: 3, b: 2, c: 1, d: 0 }, q2: { x: 2, y: 1 } });
    const approx = run({ q1: { a: 3, b: 2, z: 1.5, c: 1 }, q2: { y: 5, x: 4 } });
    const { meanOverlap, perQuery } = topKOverlap(approx, exact, 3);
    expect(perQuery.get('q1')).toBeCloseTo(2 / 3, 12); // c is 4th in approx: outside its top 3
    expect(perQuery.get('q2')).toBe(1); // only 2 exact hits; order within the top k does not matter
    expect(meanOverlap).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });

  it('scores a query missing from the approximate run 0 and skips queries without exact hits', () => {
    const exact = run({ q1: { a: 1 }, q2: { b: 1 }, q3: {} });
    const approx = run({ q1: { a: 1 } });
    const { meanOverlap, perQuery } = topKOverlap(approx, exact, 10);
    expect([...perQuery]).toEqual([['q1', 1], ['q2', 0]]);
    expect(meanOverlap).toBe(0.5);
  });

  it('cuts both runs in the shared ranking order (ties by doc id descending)', () => {
    const exact = run({ q: { a: 1, b: 1, c: 1 } }); // top 2 = c, b
    expect(topKOverlap(run({ q: { c: 1, b: 1 } }), exact, 2).meanOverlap).toBe(1);
    expect(topKOverlap(run({ q: { a: 1, b: 1 } }), exact, 2).meanOverlap).toBe(0.5);
  });

  it('is NaN with nothing to compare, and rejects a bad k', () => {
    expect(topKOverlap(new Map(), new Map(), 10).meanOverlap).toBeNaN();
    expect(() => topKOverlap(new Map(), new Map(), 0)).toThrow(/k must be a positive integer/);
  });
});

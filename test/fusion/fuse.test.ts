import { describe, expect, it } from 'vitest';
import { fuseLists, fuseRuns, type FusionSpec } from '../../src/fusion/fuse.js';
import type { Scored } from '../../src/ranking.js';

const f = Math.fround;
const rrf: FusionSpec = { method: 'rrf', rankConstant: 60 };
const linear = (weights: number[], normalization: 'min-max' | 'l2' = 'min-max', combination: 'arithmetic' | 'harmonic' | 'geometric' = 'arithmetic'): FusionSpec => ({
  method: 'linear',
  normalization,
  combination,
  weights,
});
const list = (...pairs: [string, number][]): Scored[] => pairs.map(([id, score]) => ({ id, score }));

// Component A ranks a > b > c; component B ranks c > d. b and d are each in one component only.
const A = list(['a', 3], ['b', 2], ['c', 1]);
const B = list(['c', 0.9], ['d', 0.8]);

describe('reciprocal rank fusion (k = 60)', () => {
  it('sums 1 / (60 + rank) over the components; equal sums are ordered by doc id descending', () => {
    const out = fuseLists([A, B], rrf);
    // c: 1/63 + 1/61; a: 1/61; b: 1/62 (A only); d: 1/62 (B only) -> b and d tie, d first (id descending).
    expect(out.map((h) => h.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(out[0].score).toBe(f(f(1 / 63) + f(1 / 61)));
    expect(out[1].score).toBe(f(1 / 61));
    expect(out[2].score).toBe(out[3].score);
    expect(out[2].score).toBe(f(1 / 62));
  });

  it('an empty component adds nothing; two empty components give an empty list', () => {
    expect(fuseLists([[], B], rrf)).toEqual([{ id: 'c', score: f(1 / 61) }, { id: 'd', score: f(1 / 62) }]);
    expect(fuseLists([[], []], rrf)).toEqual([]);
  });

  it('uses the rank constant given', () => {
    expect(fuseLists([A], { method: 'rrf', rankConstant: 1 }).map((h) => h.score)).toEqual([f(1 / 2), f(1 / 3), f(1 / 4)]);
  });
});

describe('linear fusion: min-max normalisation, arithmetic mean', () => {
  it('normalises each component to [0.001, 1] and takes the weighted mean, a missing component counting 0', () => {
    // A: a 1, b 0.5, c 0.001 (the minimum is floored at 0.001, as OpenSearch does); B: c 1, d 0.001.
    const out = fuseLists([A, B], linear([0.5, 0.5]));
    expect(out.map((h) => h.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(out.find((h) => h.id === 'c')!.score).toBeCloseTo(0.5005, 6);
    expect(out.find((h) => h.id === 'a')!.score).toBe(0.5);
    expect(out.find((h) => h.id === 'b')!.score).toBe(0.25);
    expect(out.find((h) => h.id === 'd')!.score).toBeCloseTo(0.0005, 7);
  });

  it('weights move the order: 0.9 on B puts d above b', () => {
    const out = fuseLists([A, B], linear([0.1, 0.9]));
    // a 0.1, b 0.05, c 0.0001 + 0.9 = 0.9001, d 0.0009
    expect(out.map((h) => h.id)).toEqual(['c', 'a', 'b', 'd']);
    const out2 = fuseLists([list(['a', 3], ['b', 2]), list(['d', 5], ['b', 1])], linear([0.1, 0.9]));
    // A: a 1, b 0.001; B: d 1, b 0.001 -> d 0.9, a 0.1, b 0.001
    expect(out2.map((h) => h.id)).toEqual(['d', 'a', 'b']);
    expect(out2[0].score).toBe(f(f(1 * f(0.9)) / f(f(0.1) + f(0.9))));
  });

  it('a component whose scores are all equal normalises every doc to 1 (OpenSearch), not 0', () => {
    const out = fuseLists([list(['x', 2], ['y', 2]), list(['y', 7], ['z', 1])], linear([0.5, 0.5]));
    // x: (1 + 0) / 1 * 0.5 = 0.5; y: 0.5 * 1 + 0.5 * 1 = 1; z: 0.5 * 0.001
    expect(out).toEqual([
      { id: 'y', score: 1 },
      { id: 'x', score: 0.5 },
      { id: 'z', score: f(f(f(0.001) * 0.5) / 1) },
    ]);
  });

  it('a single hit normalises to 1; an empty component contributes nothing', () => {
    expect(fuseLists([[], list(['x', 0.3], ['y', 0.1])], linear([0.3, 0.7]))).toEqual([
      { id: 'x', score: f(f(0.7) / f(f(0.3) + f(0.7))) },
      { id: 'y', score: f(f(f(0.001) * f(0.7)) / f(f(0.3) + f(0.7))) },
    ]);
    expect(fuseLists([list(['x', 0.3]), []], linear([0.5, 0.5]))).toEqual([{ id: 'x', score: 0.5 }]);
  });
});

describe('linear fusion: l2 normalisation, harmonic and geometric means', () => {
  it('l2 divides by the norm of the component list', () => {
    const out = fuseLists([list(['a', 4], ['b', 3]), []], linear([1, 0], 'l2'));
    expect(out).toEqual([
      { id: 'a', score: f(0.8) },
      { id: 'b', score: f(0.6) },
    ]);
  });

  it('harmonic and geometric means skip a component that did not return the doc', () => {
    const X = list(['p', 4], ['q', 3]); // l2: p 0.8, q 0.6
    const Y = list(['p', 3], ['r', 4]); // l2: r 0.8, p 0.6
    const harmonic = fuseLists([X, Y], linear([0.5, 0.5], 'l2', 'harmonic'));
    // p: 1 / (0.5/0.8 + 0.5/0.6) = 0.6857; q: 0.6 alone; r: 0.8 alone
    expect(harmonic.map((h) => h.id)).toEqual(['r', 'p', 'q']);
    expect(harmonic.find((h) => h.id === 'p')!.score).toBeCloseTo(1 / (0.5 / 0.8 + 0.5 / 0.6), 6);
    expect(harmonic.find((h) => h.id === 'q')!.score).toBeCloseTo(0.6, 6);
    const geometric = fuseLists([X, Y], linear([0.5, 0.5], 'l2', 'geometric'));
    expect(geometric.find((h) => h.id === 'p')!.score).toBeCloseTo(Math.sqrt(0.8 * 0.6), 6);
    expect(geometric.find((h) => h.id === 'r')!.score).toBeCloseTo(0.8, 6);
  });
});

describe('fuseRuns', () => {
  it('fuses query by query, in the order given, cut to the depth; a query missing from a run counts as empty', () => {
    const runs = [new Map([['q1', A], ['q2', A]]), new Map([['q1', B]])];
    const out = fuseRuns(runs, rrf, ['q2', 'q1'], 2);
    expect([...out.keys()]).toEqual(['q2', 'q1']);
    expect(out.get('q1')!.map((h) => h.id)).toEqual(['c', 'a']);
    expect(out.get('q2')!.map((h) => h.id)).toEqual(['a', 'b']);
  });

  it('rejects a weight count that does not match the components', () => {
    expect(() => fuseLists([A, B], linear([1]))).toThrow(/1 weights for 2 components/);
  });
});

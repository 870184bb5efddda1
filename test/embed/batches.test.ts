import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/embed/batches.js';
import { normalizeInPlace, poolInto } from '../../src/embed/pooling.js';

describe('planBatches', () => {
  const lengths = [5, 30, 7, 30, 12, 1, 9];

  it('covers every index once, longest first, capped by rows', () => {
    const batches = planBatches(lengths, { maxRows: 3, maxTokens: 1000 });
    expect(batches).toEqual([[1, 3, 4], [6, 2, 0], [5]]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('caps padded tokens per batch, and gives a text longer than the budget a batch of its own', () => {
    // 30+30 = 60 padded tokens fit in 60; 12 pads to 12, 9 joins (2 x 12 = 24), 7 would make 36 > 30.
    expect(planBatches(lengths, { maxRows: 10, maxTokens: 30 })).toEqual([[1], [3], [4, 6], [2, 0, 5]]);
    expect(planBatches(lengths, { maxRows: 10, maxTokens: 60 })).toEqual([[1, 3], [4, 6, 2, 0, 5]]);
  });

  it('rejects non-positive limits', () => {
    expect(() => planBatches([1], { maxRows: 0, maxTokens: 10 })).toThrow(RangeError);
    expect(() => planBatches([1], { maxRows: 1, maxTokens: 0 })).toThrow(RangeError);
  });
});

describe('poolInto', () => {
  // Two items, seqLen 3, dim 2; item 1 has one padding position that must not count.
  const hidden = Float32Array.from([1, 0, 3, 0, 5, 0, /* item 1 */ 0, 2, 0, 4, 99, 99]);

  it('mean-pools over real tokens only and writes rows where told', () => {
    const out = new Float32Array(6);
    poolInto(hidden, [3, 2], 3, 2, 'mean', false, out, [2, 0]);
    expect(Array.from(out)).toEqual([0, 3, 0, 0, 3, 0]);
  });

  it('CLS-pools the first token and L2-normalises', () => {
    const out = new Float32Array(4);
    poolInto(hidden, [3, 2], 3, 2, 'cls', true, out, [0, 1]);
    expect(Array.from(out)).toEqual([1, 0, 0, 1]);
  });

  it('leaves an all-zero vector zero instead of NaN', () => {
    const v = new Float32Array(3);
    normalizeInPlace(v);
    expect(Array.from(v)).toEqual([0, 0, 0]);
  });
});

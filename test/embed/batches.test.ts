import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/embed/batches.js';
import { normalizeInPlace, poolInto } from '../../src/embed/pooling.js';

describe('planBatches', () => {
  it('covers every index once, in batches of similar length, longest first', () => {
    const lengths = [5, 30, 7, 30, 12, 1, 9];
    const batches = planBatches(lengths, 3);
    expect(batches).toEqual([[1, 3, 4], [6, 2, 0], [5]]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('rejects a non-positive batch size', () => {
    expect(() => planBatches([1], 0)).toThrow(RangeError);
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

import { describe, expect, it } from 'vitest';
import { exactTopK } from '../../src/backends/exact.js';
import type { Matrix } from '../../src/types.js';

const matrix = (rows: number[][]): Matrix => ({ data: Float32Array.from(rows.flat()), rows: rows.length, dim: rows[0].length });

describe('exactTopK', () => {
  it('ranks by dot product, best first, and keeps only k', () => {
    const q = matrix([[1, 0]]);
    const d = matrix([[0.2, 0], [0.9, 0], [0.5, 0], [0.7, 0]]);
    const hits = exactTopK(q, d, ['a', 'b', 'c', 'd'], 3)[0];
    expect(hits.map((h) => h.id)).toEqual(['b', 'd', 'c']);
    expect(hits[0].score).toBeCloseTo(0.9, 6);
  });

  it('breaks exact ties by doc id descending, also across the k boundary', () => {
    // Four docs tie at 0.5; k = 2 must keep the two largest ids ('d', 'c') whatever the corpus order.
    const q = matrix([[1, 0]]);
    const d = matrix([[0.5, 0], [0.5, 0], [0.5, 0], [0.5, 0]]);
    expect(exactTopK(q, d, ['b', 'd', 'a', 'c'], 2)[0].map((h) => h.id)).toEqual(['d', 'c']);
    expect(exactTopK(q, d, ['c', 'a', 'd', 'b'], 2)[0].map((h) => h.id)).toEqual(['d', 'c']);
  });

  it('treats scores equal after float32 rounding as ties', () => {
    // 0.1 + 0.2 and 0.3 differ as doubles but round to the same float32.
    const q = matrix([[1, 1]]);
    const d = matrix([[0.1, 0.2], [0.3, 0]]);
    const s1 = Math.fround(0.1) + Math.fround(0.2);
    const s2 = Math.fround(0.3);
    expect(s1).not.toBe(s2);
    expect(Math.fround(s1)).toBe(Math.fround(s2));
    // Tie -> doc id descending: 'x' before 'w' regardless of the raw double order.
    expect(exactTopK(q, d, ['w', 'x'], 2)[0].map((h) => h.id)).toEqual(['x', 'w']);
    expect(exactTopK(q, d, ['x', 'w'], 2)[0].map((h) => h.id)).toEqual(['x', 'w']);
  });

  it('orders ties by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF21 (BMP, UTF-16 0xFF21) vs U+1F600 (astral, UTF-16 0xD83D...): UTF-8 puts the astral char last,
    // so descending order puts it first; JavaScript's `<` would say the opposite.
    const q = matrix([[1]]);
    const d = matrix([[1], [1]]);
    expect(exactTopK(q, d, ['\uFF21', '\u{1F600}'], 2)[0].map((h) => h.id)).toEqual(['\u{1F600}', '\uFF21']);
  });

  it('searches every query independently and refuses mismatched dimensions', () => {
    const q = matrix([[1, 0], [0, 1]]);
    const d = matrix([[1, 0], [0, 1]]);
    expect(exactTopK(q, d, ['x', 'y'], 1).map((h) => h[0].id)).toEqual(['x', 'y']);
    expect(() => exactTopK(matrix([[1, 0, 0]]), d, ['x', 'y'], 1)).toThrow(/dimension/);
  });
});

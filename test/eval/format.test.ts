import { describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/eval/format.js';

describe('formatFixed (display rounding, half to even on the exact value like C printf and Python round)', () => {
  it.each([
    [0.03125, 4, '0.0312'], // exact tie (1/32): even digit kept; toFixed gives 0.0313
    [0.09375, 4, '0.0938'], // exact tie (3/32): 7 is odd, rounds up
    [-0.03125, 4, '-0.0312'],
    [0.015625, 5, '0.01562'], // 1/64, BEIR's 5 decimals: Python round(0.015625, 5) == 0.01562
    [0.046875, 5, '0.04688'], // 3/64: round(0.046875, 5) == 0.04688
    [0.125, 2, '0.12'],
    [2.5, 0, '2'],
    [0.5, 0, '0'],
    [1.5, 0, '2'],
    [0.00005, 4, '0.0001'], // not a tie: the double is 5.000000000000000409e-05, above the half
    [0.123455, 5, '0.12345'], // not a tie: the double is 0.12345499999999999...
    [1 / 3, 4, '0.3333'],
    [0, 4, '0.0000'],
  ])('%d to %d places is %s', (x, d, s) => {
    expect(formatFixed(x, d)).toBe(s);
  });
});

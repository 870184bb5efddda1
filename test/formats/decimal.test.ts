import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/formats/decimal.js';

describe('parseDecimal', () => {
  it.each([
    ['1e-3', 0.001],
    ['0.001', 0.001],
    ['+7', 7],
    ['-2.5E+1', -25],
    ['.5', 0.5],
    ['5.', 5],
    ['0.30000000000000004', 0.30000000000000004],
    ['123456789012345678901234567890', 1.2345678901234568e29],
    ['4.9e-324', 5e-324],
  ])('%s = %d', (s, v) => {
    expect(parseDecimal(s)).toBe(v);
  });

  it('-0 is negative zero', () => {
    expect(Object.is(parseDecimal('-0'), -0)).toBe(true);
    expect(Object.is(parseDecimal('-0.0e5'), -0)).toBe(true);
  });

  it.each(['', '+', '-', '.', 'e5', '1e', '1e+', '0x10', 'inf', 'nan', 'NaN', 'Infinity', '1,5', '1 ', '--1', '1e5.5'])('rejects %j', (s) => {
    expect(parseDecimal(s)).toBeNaN();
  });

  it('parses a slice of a line in place', () => {
    expect(parseDecimal('q Q0 d 1 2.5 t', 9, 12)).toBe(2.5);
  });

  it('equals Number() on every decimal string (fast path and fallback)', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 });
    const decimal = fc
      .tuple(fc.constantFrom('', '+', '-'), digits, fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 20 })), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }))))
      .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : '.' + frac}${exp === null ? '' : exp[0] + exp[1] + exp[2]}`);
    fc.assert(fc.property(decimal, (s) => {
      expect(parseDecimal(s)).toBe(Number(s));
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(parseDecimal(Object.is(x, -0) ? "-0" : String(x))).toBe(x); // String(-0) is "0"
    }), { numRuns: 5000 });
  });
});

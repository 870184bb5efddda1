/** Exact powers of ten as doubles (10^0..10^22 are all representable exactly). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Parse s[start, end) as a decimal float the way C's strtod does (correctly rounded), accepting exactly
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?: `1e-3`, `.5`, `+7`, `-0`, `-2.5E+1`.
 * Hex, inf, nan and anything else give NaN. Parsing scores is the hot loop of reading a 10M-line run,
 * so the usual case is computed in place: with at most 15 significant digits and a power of ten up to
 * 10^22, m * 10^e and m / 10^e are single correctly rounded IEEE operations on exact operands
 * (Clinger's fast path), hence equal to Number(). Everything else falls back to Number() on the slice.
 */
export function parseDecimal(s: string, start = 0, end = s.length): number {
  let i = start;
  let negative = false;
  let c = s.charCodeAt(i);
  if (c === 43 /* + */ || c === 45 /* - */) {
    negative = c === 45;
    c = s.charCodeAt(++i);
  }
  let mantissa = 0;
  let digits = 0; // significant digits in mantissa (leading zeros not counted)
  let intDigits = 0;
  let fracDigits = 0;
  let exponent = 0; // decimal exponent applied to mantissa
  while (i < end && c >= 48 && c <= 57) {
    if (mantissa !== 0 || c !== 48) digits++;
    mantissa = mantissa * 10 + (c - 48);
    intDigits++;
    c = s.charCodeAt(++i);
  }
  if (i < end && c === 46 /* . */) {
    c = s.charCodeAt(++i);
    while (i < end && c >= 48 && c <= 57) {
      if (mantissa !== 0 || c !== 48) digits++;
      mantissa = mantissa * 10 + (c - 48);
      fracDigits++;
      exponent--;
      c = s.charCodeAt(++i);
    }
  }
  if (intDigits + fracDigits === 0) return NaN;
  if (i < end && (c === 101 || c === 69) /* e E */) {
    c = s.charCodeAt(++i);
    let expNegative = false;
    if (c === 43 || c === 45) {
      expNegative = c === 45;
      c = s.charCodeAt(++i);
    }
    const expStart = i;
    let e = 0;
    while (i < end && c >= 48 && c <= 57) {
      e = Math.min(e * 10 + (c - 48), 1e6); // clamp: beyond any double's range anyway
      c = s.charCodeAt(++i);
    }
    if (i === expStart) return NaN;
    exponent += expNegative ? -e : e;
  }
  if (i !== end) return NaN;
  if (digits > 15 || exponent < -22 || exponent > 22) return Number(s.slice(start, end));
  const v = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
  return negative ? -v : v;
}

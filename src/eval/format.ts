/**
 * x with `digits` decimals, rounding half to even on the exact binary value, as C's printf("%.*f")
 * (trec_eval's output) and Python's round (BEIR's 5-decimal means) do. JavaScript's toFixed rounds
 * exact ties up instead: (0.03125).toFixed(4) is "0.0313" where trec_eval prints 0.0312.
 * Display only: results keep full double precision.
 */
export function formatFixed(x: number, digits: number): string {
  const plain = x.toFixed(digits);
  // An exact tie: x has exactly digits + 1 decimals, the last one a 5. A decimal with d places is a
  // double only if it is a multiple of 5^d over 10^d (then it is a dyadic rational), which is checked exactly.
  const longer = x.toFixed(digits + 1);
  if (!longer.endsWith('5') || Number(longer) !== x) return plain;
  const scaled = BigInt(longer.replace('-', '').replace('.', ''));
  if (scaled % 5n ** BigInt(digits + 1) !== 0n) return plain;
  // Tie: toFixed rounded away from zero; keep that only if it made the last digit even.
  const lastKept = Number(plain.charAt(plain.length - 1));
  if (lastKept % 2 === 0) return plain;
  const truncated = longer.slice(0, -1);
  return truncated.endsWith('.') ? truncated.slice(0, -1) : truncated;
}

/** A difference, always signed: +0.0078, -0.0123. */
export function signed(v: number, digits = 4): string {
  const text = formatFixed(v, digits);
  // A difference that rounds to zero reads +0.0000 whatever its sign (a -1e-17 is float noise, not a loss).
  return text.startsWith('-') && Number(text) !== 0 ? text : `+${text.replace(/^-/, '')}`;
}

/** An interval of a difference: signed ends. */
export const fmtCi = ([lo, hi]: readonly [number, number]): string => `[${signed(lo)}, ${signed(hi)}]`;

import { wordCount } from '../word-count.js';

interface LengthBucket {
  label: string;
  minWords: number;
  maxWords: number;
  n: number;
  meanGain: number;
}

export interface LengthAnalysis {
  buckets: LengthBucket[];
  /** Spearman rank correlation between query length and gain; null below 3 queries or with no spread. */
  spearman: number | null;
  n: number;
}

/**
 * Tests the seed article's claim that asymmetric prefixes help short queries most: the per-query gain
 * (asymmetric minus symmetric) by query-length quartile, and the Spearman correlation of length and gain.
 * Only queries with a gain count. Quartile cut points are the nearest-rank 25/50/75th percentiles of
 * their lengths; bucket i holds lengths in (cut_{i-1}, cut_i]. Lengths are small integers with many ties
 * (NFCorpus: median 2 words), so equal cut points merge buckets: empty buckets are dropped.
 */
export function gainByQueryLength(queries: { id: string; text: string }[], gains: Map<string, number>): LengthAnalysis {
  const rows = queries.filter((q) => gains.has(q.id)).map((q) => ({ words: wordCount(q.text), gain: gains.get(q.id)! }));
  const n = rows.length;
  if (n === 0) return { buckets: [], spearman: null, n: 0 };
  const sorted = rows.map((r) => r.words).sort((x, y) => x - y);
  const cut = (p: number) => sorted[Math.max(0, Math.ceil(p * n) - 1)];
  const cuts = [cut(0.25), cut(0.5), cut(0.75), sorted[n - 1]];
  const buckets: LengthBucket[] = [];
  let lower = -Infinity;
  for (const upper of cuts) {
    const members = rows.filter((r) => r.words > lower && r.words <= upper);
    lower = upper;
    if (members.length === 0) continue;
    const minWords = Math.min(...members.map((r) => r.words));
    const maxWords = Math.max(...members.map((r) => r.words));
    buckets.push({
      label: minWords === maxWords ? `${minWords} words` : `${minWords}-${maxWords} words`,
      minWords,
      maxWords,
      n: members.length,
      meanGain: members.reduce((s, r) => s + r.gain, 0) / members.length,
    });
  }
  return { buckets, spearman: spearman(rows.map((r) => r.words), rows.map((r) => r.gain)), n };
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(xs: number[]): number[] {
  const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && xs[order[end + 1]] === xs[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's rho: Pearson correlation of average ranks (handles ties); null if undefined. */
export function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length < 3) return null;
  const rx = averageRanks(xs);
  const ry = averageRanks(ys);
  const mx = rx.reduce((s, v) => s + v, 0) / rx.length;
  const my = ry.reduce((s, v) => s + v, 0) / ry.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/**
 * Views of a comparison over all its queries, from the run files: where the first relevant passage moved (B's
 * rank minus A's, lost from / gained into the top k told apart) and the change by number of relevant passages.
 * docs/REPORTS.md ("Per-query evidence") defines the rows.
 */

/** One query as the summaries see it. */
export interface QueryRanks {
  /** Rank of the first relevant passage in A's and B's run; null when none is within the run. */
  a: number | null;
  b: number | null;
  /** Relevant passages in the qrels. */
  relevant: number;
  /** The ranking metric: A's value, B's value, B - A. */
  a0: number;
  b0: number;
  diff: number;
}

export interface RankShiftRow {
  label: string;
  queries: number;
  /** Mean B - A of the ranking metric over these queries; null when there are none. */
  meanDiff: number | null;
}

/**
 * Rows in a fixed order, empty ones kept (a histogram's axis does not move): gained into the top k, the shift
 * of queries whose first relevant passage both put in the top k (negative: B ranks it higher), lost from the top k
 * (split by whether B still retrieved it within its run), neither in the top k, and no relevant passage judged.
 */
export function rankShift(rows: readonly QueryRanks[], k: number, depth: number): RankShiftRow[] {
  const inTop = (r: number | null) => r !== null && r <= k;
  const deeper = depth > k ? `${k + 1}-${depth}` : null;
  const buckets: [string, (q: QueryRanks) => boolean][] = [
    [`gained into the top ${k}`, (q) => !inTop(q.a) && inTop(q.b)],
    ['up 5 or more', (q) => both(q, k) && q.b! - q.a! <= -5],
    ['up 2 to 4', (q) => both(q, k) && q.b! - q.a! >= -4 && q.b! - q.a! <= -2],
    ['up 1', (q) => both(q, k) && q.b! - q.a! === -1],
    ['same rank', (q) => both(q, k) && q.b === q.a],
    ['down 1', (q) => both(q, k) && q.b! - q.a! === 1],
    ['down 2 to 4', (q) => both(q, k) && q.b! - q.a! >= 2 && q.b! - q.a! <= 4],
    ['down 5 or more', (q) => both(q, k) && q.b! - q.a! >= 5],
    ...(deeper ? [[`lost from the top ${k}, B ranks it ${deeper}`, (q: QueryRanks) => inTop(q.a) && !inTop(q.b) && q.b !== null] as [string, (q: QueryRanks) => boolean]] : []),
    [`lost from the top ${k}, not in B's ${depth}`, (q) => inTop(q.a) && q.b === null],
    [`neither has it in the top ${k}`, (q) => q.relevant > 0 && !inTop(q.a) && !inTop(q.b)],
    ['no relevant passage judged', (q) => q.relevant === 0],
  ];
  return buckets.map(([label, member]) => summarize(label, rows.filter(member)));
}

const both = (q: QueryRanks, k: number) => q.a !== null && q.b !== null && q.a <= k && q.b <= k;

function summarize(label: string, members: readonly QueryRanks[]): RankShiftRow {
  return { label, queries: members.length, meanDiff: members.length ? members.reduce((s, q) => s + q.diff, 0) / members.length : null };
}

export interface RelevantCountRow {
  label: string;
  queries: number;
  meanA: number;
  meanB: number;
  meanDiff: number;
  wins: number;
  ties: number;
  losses: number;
}

/** Groups of queries by how many relevant passages the qrels give them: 1, 2, 3-5, 6-10, 11-20, 21 or more; empty groups dropped. */
const COUNT_GROUPS: [string, number, number][] = [
  ['1', 1, 1],
  ['2', 2, 2],
  ['3-5', 3, 5],
  ['6-10', 6, 10],
  ['11-20', 11, 20],
  ['21 or more', 21, Infinity],
];

export function byRelevantCount(rows: readonly QueryRanks[]): RelevantCountRow[] {
  return COUNT_GROUPS.flatMap(([label, lo, hi]) => {
    const m = rows.filter((q) => q.relevant >= lo && q.relevant <= hi);
    if (m.length === 0) return [];
    const mean = (f: (q: QueryRanks) => number) => m.reduce((s, q) => s + f(q), 0) / m.length;
    return [
      {
        label: `${label} relevant`,
        queries: m.length,
        meanA: mean((q) => q.a0),
        meanB: mean((q) => q.b0),
        meanDiff: mean((q) => q.diff),
        wins: m.filter((q) => q.diff > 0).length,
        ties: m.filter((q) => q.diff === 0).length,
        losses: m.filter((q) => q.diff < 0).length,
      },
    ];
  });
}

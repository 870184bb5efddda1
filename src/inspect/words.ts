/**
 * What every view of the evidence (terminal, markdown, HTML) says in the same words: relevance marks, snippets,
 * query headings, and the summary views as plain tables, so the formats differ only in layout.
 */
import { displayName } from '../eval/metrics.js';
import { fmtPercent, fmtScore, signed } from '../report/numbers.js';
import type { ComparisonEvidence, Hit, Passage, QueryEvidence, Relevance, RelevantDoc } from './evidence.js';

/** Short mark of a hit's relevance: ✓ and its grade, ✗ judged not relevant, · unjudged (text, so it prints and reads in any theme). */
export function relevanceMark(r: Relevance): string {
  if (r.kind === 'relevant') return `✓${r.grade}`;
  return r.kind === 'judged' ? '✗' : '·';
}

export function relevanceWords(r: Relevance): string {
  if (r.kind === 'relevant') return `relevant (qrels grade ${r.grade})`;
  return r.kind === 'judged' ? `judged not relevant (grade ${r.grade})` : 'unjudged (not in the qrels)';
}

export const MARKS_LEGEND = '✓g = relevant (qrels grade g), ✗ = judged not relevant, · = unjudged (not in the qrels)';

/** Characters of passage shown by default: a terminal line, a blog table's cell, a snippet that opens to the rest. */
export const DEFAULT_SNIPPET = { terminal: 160, md: 100, html: 240 } as const;

/** The first `chars` characters of a text, whitespace collapsed, cut at a word boundary, with … when cut. */
export function snippet(text: string, chars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= chars) return flat;
  const cut = flat.slice(0, chars);
  const space = cut.lastIndexOf(' ');
  return `${(space > chars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A passage as one line: title, then the text's snippet. */
export function passageLine(p: Passage | undefined, chars: number): string {
  if (!p) return '(not in corpus.jsonl)';
  const text = snippet(p.text, chars);
  return p.title ? `${snippet(p.title, 80)}: ${text}` : text;
}

export function reasonTitle(q: QueryEvidence): string {
  if (q.reason.kind === 'asked') return 'Asked';
  return `${q.reason.kind === 'loss' ? 'Loss' : 'Gain'} ${q.reason.place}`;
}

/** `NDCG@10 1.0000 → 0.3869 (-0.6131)`: the ranking metric of a query, A to B. */
export function changeLine(q: QueryEvidence): string {
  const m = q.measures[0];
  return `${displayName(m.metric)} ${fmtScore(m.a)} → ${fmtScore(m.b)} (${signed(m.diff)})`;
}

/** Every measure of a query, A and B and B - A. */
export function measuresLine(q: QueryEvidence): string {
  return q.measures.map((m) => `${displayName(m.metric)} ${fmtScore(m.a)} → ${fmtScore(m.b)} (${signed(m.diff)})`).join(' · ');
}

export const rankWords = (rank: number | null, depth: number): string => (rank === null ? `not in its top ${depth}` : `rank ${rank}`);

/** `doc-7 (grade 1): Symmetric rank 1, Asymmetric not in its top 100`. */
export function relevantLine(r: RelevantDoc, c: ComparisonEvidence): string {
  return `${r.docId} (grade ${r.grade}): ${c.a.label} ${rankWords(r.rankA, c.a.depth)}, ${c.b.label} ${rankWords(r.rankB, c.b.depth)}`;
}

/** Relevant passages outside both top-k lists: their text is shown nowhere else. */
export const missedByBoth = (q: QueryEvidence, k: number): RelevantDoc[] =>
  q.relevant.filter((r) => (r.rankA === null || r.rankA > k) && (r.rankB === null || r.rankB > k));

/** The rows of the side-by-side hit table: rank, then A's hit and B's hit at that rank (absent when a list is shorter). */
export function hitRows(q: QueryEvidence): { rank: number; a?: Hit; b?: Hit }[] {
  const n = Math.max(q.hitsA.length, q.hitsB.length);
  return Array.from({ length: n }, (_, i) => ({ rank: i + 1, a: q.hitsA[i], b: q.hitsB[i] }));
}

export const scoreText = (h: Hit): string => h.score.toFixed(4);

/** A summary view as a plain table; `numeric` columns align right. */
export interface PlainTable {
  title: string;
  head: string[];
  numeric: boolean[];
  rows: string[][];
}

export function comparisonTitle(c: ComparisonEvidence): string {
  return `${c.displayName}: ${c.b.label} vs ${c.a.label}, by ${displayName(c.metric)}`;
}

export function comparisonIntro(c: ComparisonEvidence): string {
  return (
    `A = ${c.a.label} (${c.a.id}), B = ${c.b.label} (${c.b.id}); ${c.queries} queries both scored; top ${c.k} hits shown, ` +
    `run files ${c.a.depth === c.b.depth ? `${c.a.depth}` : `${c.a.depth} (A) and ${c.b.depth} (B)`} deep`
  );
}

/** The summary views: the first relevant passage's move, the change by number of relevant passages, by query length. */
export function summaryTables(c: ComparisonEvidence): PlainTable[] {
  const metric = displayName(c.metric);
  const judged = c.rankShift.reduce((s, r) => s + r.queries, 0);
  const tables: PlainTable[] = [
    {
      title: `Where the first relevant passage moved (its rank in B minus its rank in A), ${judged} queries`,
      head: ['first relevant passage', 'queries', 'share', `mean B-A ${metric}`],
      numeric: [false, true, true, true],
      rows: c.rankShift.map((r) => [r.label, String(r.queries), fmtPercent(judged ? r.queries / judged : null), r.meanDiff === null ? '-' : signed(r.meanDiff)]),
    },
    {
      title: `${metric} by number of relevant passages`,
      head: ['relevant passages', 'queries', 'A', 'B', 'B-A', 'win/tie/loss'],
      numeric: [false, true, true, true, true, true],
      rows: c.byRelevantCount.map((r) => [r.label, String(r.queries), fmtScore(r.meanA), fmtScore(r.meanB), signed(r.meanDiff), `${r.wins}/${r.ties}/${r.losses}`]),
    },
  ];
  if (c.lengthAnalysis && c.lengthAnalysis.buckets.length > 0) {
    tables.push({
      title: `${metric} gain by query length (the run's own view, quartiles of ${c.lengthAnalysis.n} queries)`,
      head: ['length', 'queries', 'mean B-A'],
      numeric: [false, true, true],
      rows: c.lengthAnalysis.buckets.map((b) => [b.label, String(b.n), signed(b.meanGain)]),
    });
  }
  return tables;
}

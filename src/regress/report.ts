/** The regress verdicts as a terminal table and as markdown (e.g. $GITHUB_STEP_SUMMARY). */
import Table from 'cli-table3';
import { displayName } from '../eval/metrics.js';
import { fmtCi, fmtScore, signed } from '../report/numbers.js';
import type { ConditionCheck } from './check.js';
import { VERDICTS, type MetricCheck, type QueryChange, type Verdict } from './verdict.js';

const HEADER = ['Condition', 'Metric', 'Expected', 'Got', 'Delta', 'Changed', 'Test', 'Verdict'];

/** The test a check was judged by: `exact` (reproduced query by query), or the equivalence test's interval and margin. */
function testCell(c: ConditionCheck, m: MetricCheck): string {
  if (c.kind === 'deterministic') return 'exact';
  return m.ci95 ? `${fmtCi(m.ci95)} in ±${m.margin}` : `±${m.margin}`;
}

const cells = (c: ConditionCheck, m: MetricCheck): string[] => [
  displayName(m.metric),
  fmtScore(m.expected),
  fmtScore(m.got),
  signed(m.delta),
  `${m.changed}/${m.queries}`,
  testCell(c, m),
  m.verdict,
];

const score = (v: number | null) => (v === null ? 'absent' : fmtScore(v));

/** `PLAIN-12 0.6131 -> 0.2103, ...`: the largest per-query changes. */
export const largestChanges = (changes: readonly QueryChange[]): string =>
  changes.map((q) => `${q.query} ${score(q.baseline)} -> ${score(q.tonight)}`).join(', ');

/** One check in words, for notes and JUnit messages: the numbers, the verdict's reason and the largest changes. */
export function checkWords(c: ConditionCheck, m: MetricCheck): string {
  const numbers = `expected ${fmtScore(m.expected)}, got ${fmtScore(m.got)} (${signed(m.delta)})`;
  const largest = m.largest.length > 0 ? `; largest: ${largestChanges(m.largest)}` : '';
  return `${c.condition} ${displayName(m.metric)}: ${numbers}: ${m.verdict}, ${m.reason}${largest}`;
}

/** What the verdicts mean, in one paragraph (summary, --help). */
export const VERDICT_LEGEND =
  'OK = tonight\'s run reproduces the stored baseline run, every query\'s score equal; ' +
  'OK* = an approximate condition (HNSW, server-side embedding) changed, and the paired bootstrap 95% interval of the mean change lies within its margin; ' +
  'FAIL = a deterministic condition changed at all, or an approximate one by a change not shown to be within its margin (too few queries to show it included); ' +
  'CHANGED-INPUT = the data\'s content, the model weights or the encoder settings differ from what the matrix recorded. ' +
  'Changed = queries whose score differs from the stored run; Test = exact (deterministic) or the interval and margin (approximate).';

/** `scifact/bm25`, prefixed with the matrix when several ran. */
const label = (c: ConditionCheck, several: boolean) => (several ? `${c.matrix}: ${c.condition}` : c.condition);

export function regressTable(conditions: readonly ConditionCheck[]): string {
  const several = new Set(conditions.map((c) => c.matrix)).size > 1;
  const table = new Table({ head: HEADER, style: { head: [], border: [] } });
  for (const c of conditions) {
    c.checks.forEach((m, i) => {
      table.push([...(i === 0 ? [{ content: label(c, several), rowSpan: c.checks.length }] : []), ...cells(c, m)]);
    });
  }
  return table.toString();
}

export function verdictCounts(conditions: readonly ConditionCheck[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const m of conditions.flatMap((c) => c.checks)) counts[m.verdict]++;
  return counts;
}

/** `16 conditions, 48 checks: 46 OK, 2 OK*, 0 FAIL, 0 CHANGED-INPUT`. */
export function summaryLine(conditions: readonly ConditionCheck[]): string {
  const counts = verdictCounts(conditions);
  const checks = conditions.reduce((n, c) => n + c.checks.length, 0);
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(conditions.length, 'condition')}, ${n(checks, 'check')}: ${VERDICTS.map((v) => `${counts[v]} ${v}`).join(', ')}`;
}

/** What stands behind each verdict other than OK, one line per condition, plus the notes. */
export function regressNotes(conditions: readonly ConditionCheck[]): string[] {
  const lines: string[] = [];
  for (const c of conditions) {
    if (c.inputChanges.length > 0) lines.push(`${c.condition}: CHANGED-INPUT, the matrix recorded other inputs: ${c.inputChanges.join('; ')}`);
    for (const m of c.checks) if (m.verdict === 'OK*' || m.verdict === 'FAIL') lines.push(checkWords(c, m));
    for (const n of c.notes) lines.push(`${c.condition}: note: ${n}`);
  }
  return lines;
}

const md = (s: string) => s.replace(/\|/g, '\\|');

/** The markdown summary: verdict, counts, the table, and what stands behind each non-OK verdict. */
export function summaryMarkdown(conditions: readonly ConditionCheck[], title: string): string {
  const several = new Set(conditions.map((c) => c.matrix)).size > 1;
  const failing = conditions.some((c) => c.verdict === 'FAIL' || c.verdict === 'CHANGED-INPUT');
  const rows = conditions.flatMap((c) =>
    c.checks.map((m, i) => {
      const row = [i === 0 ? `\`${label(c, several)}\`` : '', ...cells(c, m)];
      row[row.length - 1] = m.verdict === 'OK' ? 'OK' : `**${m.verdict}**`;
      return `| ${row.map(md).join(' | ')} |`;
    }),
  );
  const notes = regressNotes(conditions);
  return [
    `## ${title}: ${failing ? 'FAILED' : 'passed'}`,
    '',
    summaryLine(conditions),
    '',
    `| ${HEADER.join(' | ')} |`,
    '|---|---|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
    ...(notes.length > 0 ? ['### Notes', '', ...notes.map((n) => `- ${md(n)}`), ''] : []),
    VERDICT_LEGEND,
    '',
  ].join('\n');
}

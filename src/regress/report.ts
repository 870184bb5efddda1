/** The regress verdicts as a terminal table and as markdown (e.g. $GITHUB_STEP_SUMMARY). */
import Table from 'cli-table3';
import { displayName } from '../eval/metrics.js';
import { fmtP, fmtScore, signed } from '../report/numbers.js';
import type { ConditionCheck } from './check.js';
import { VERDICTS, type MetricCheck, type Verdict } from './verdict.js';

const HEADER = ['Condition', 'Metric', 'Expected', 'Got', 'Delta', 'Tolerance', 'p', 'Verdict'];

const cells = (c: MetricCheck): string[] => [
  displayName(c.metric),
  fmtScore(c.expected),
  fmtScore(c.got),
  signed(c.delta),
  `±${c.tolerance}`,
  c.pValue === null ? '-' : fmtP(c.pValue),
  c.verdict,
];

/** `scifact/bm25`, prefixed with the matrix when several ran. */
const label = (c: ConditionCheck, several: boolean) => (several ? `${c.matrix}: ${c.condition}` : c.condition);

export function regressTable(conditions: readonly ConditionCheck[]): string {
  const several = new Set(conditions.map((c) => c.matrix)).size > 1;
  const table = new Table({ head: HEADER, style: { head: [], border: [] } });
  for (const c of conditions) {
    c.checks.forEach((m, i) => {
      table.push([...(i === 0 ? [{ content: label(c, several), rowSpan: c.checks.length }] : []), ...cells(m)]);
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
    for (const m of c.checks) {
      const what = `${c.condition} ${displayName(m.metric)}: expected ${fmtScore(m.expected)}, got ${fmtScore(m.got)} (${signed(m.delta)}, tolerance ±${m.tolerance})`;
      if (m.verdict === 'OK*') lines.push(`${what}: OK*, not significant against the stored baseline run (p = ${fmtP(m.pValue!)} >= alpha ${c.alpha})`);
      if (m.verdict === 'FAIL') {
        lines.push(`${what}: FAIL, ${m.pValue === null ? 'no stored baseline run to test against' : `significant against the stored baseline run (p = ${fmtP(m.pValue)} < alpha ${c.alpha})`}`);
      }
    }
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
      const row = [i === 0 ? `\`${label(c, several)}\`` : '', ...cells(m)];
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
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    ...(notes.length > 0 ? ['### Notes', '', ...notes.map((n) => `- ${md(n)}`), ''] : []),
    'OK = within tolerance; OK* = outside tolerance but not significant in a paired randomization test against the stored baseline run; ' +
      'FAIL = outside tolerance and significant (or no baseline run); CHANGED-INPUT = data, model or encoder differ from what the matrix recorded.',
    '',
  ].join('\n');
}

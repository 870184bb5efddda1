/** The evidence on a terminal: per comparison its summary views, then each query's hits side by side. */
import Table from 'cli-table3';
import type { ComparisonEvidence, Hit, InspectDataset, InspectModel, QueryEvidence } from './evidence.js';
import {
  changeLine,
  comparisonIntro,
  comparisonTitle,
  hitRows,
  MARKS_LEGEND,
  measuresLine,
  missedByBoth,
  passageLine,
  reasonTitle,
  relevanceMark,
  relevantLine,
  scoreText,
  summaryTables,
  type PlainTable,
} from './words.js';

export interface TerminalOptions {
  /** Characters a line may take (the hit table is sized to it). */
  width: number;
  /** Characters of each passage's snippet. */
  snippet: number;
}

/** Columns padded to their widest cell; numeric ones right-aligned. */
function plain(t: PlainTable): string {
  const rows = [t.head, ...t.rows];
  const widths = t.head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (t.numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [`${t.title}:`, ...rows.map((r) => `  ${line(r)}`)].join('\n');
}

function hitTable(q: QueryEvidence, c: ComparisonEvidence, ds: InspectDataset, opts: TerminalOptions): string {
  // rank + two systems of mark, doc id, score, passage; cli-table3 adds 3 characters per column (border, padding).
  const docWidth = Math.min(44, Math.max(6, ...[...q.hitsA, ...q.hitsB].map((h) => h.docId.length)) + 2);
  const fixed = 5 + 2 * (5 + docWidth + 9) + 9 * 1;
  const passage = Math.max(24, Math.floor((opts.width - fixed) / 2));
  const table = new Table({
    colWidths: [5, 5, docWidth, 9, passage, 5, docWidth, 9, passage],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  table.push(['', { colSpan: 4, content: `A = ${c.a.label}` }, { colSpan: 4, content: `B = ${c.b.label}` }]);
  table.push(['#', 'rel', 'doc', 'score', 'passage', 'rel', 'doc', 'score', 'passage']);
  const cells = (h: Hit | undefined) =>
    h ? [relevanceMark(h.relevance), h.docId, scoreText(h), passageLine(ds.passages[h.docId], opts.snippet)] : ['', '', '', ''];
  for (const row of hitRows(q)) table.push([String(row.rank), ...cells(row.a), ...cells(row.b)]);
  return table.toString();
}

function queryBlock(q: QueryEvidence, c: ComparisonEvidence, ds: InspectDataset, opts: TerminalOptions): string {
  const missed = missedByBoth(q, c.k);
  return [
    `${reasonTitle(q)}: ${q.id}  ${changeLine(q)}`,
    `  "${q.text}" (${q.words} words)`,
    `  ${measuresLine(q)}`,
    hitTable(q, c, ds, opts),
    ...q.relevant.map((r) => `  relevant ${relevantLine(r, c)}`),
    ...missed.map((r) => `  ${r.docId}: ${passageLine(ds.passages[r.docId], opts.snippet)}`),
    '',
  ].join('\n');
}

export function renderTerminal(model: InspectModel, opts: TerminalOptions): string {
  const out: string[] = [];
  for (const ds of model.datasets) {
    for (const c of ds.comparisons) {
      out.push(`== ${comparisonTitle(c)} ==`, comparisonIntro(c), `Marks: ${MARKS_LEGEND}`, '');
      for (const t of summaryTables(c)) out.push(plain(t), '');
      for (const q of c.shown) out.push(queryBlock(q, c, ds, opts));
    }
  }
  return out.join('\n');
}

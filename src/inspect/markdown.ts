/**
 * The evidence as GitHub-flavoured markdown that pastes into a blog post: per comparison its summary tables, then one
 * compact block per query (heading, the query quoted, its measures, a table of both systems' hits with marks).
 */
import { mdCell } from '../report/render.js';
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

const row = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;

function markdownTable(t: Pick<PlainTable, 'head' | 'numeric' | 'rows'>): string[] {
  return [row(t.head), `|${t.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`, ...t.rows.map(row)];
}

/** A quoted paragraph: every line of the text behind `>`, markdown characters escaped. */
const quote = (text: string) => text.split(/\r?\n/).map((l) => `> ${mdCell(l)}`).join('\n');

function queryBlock(q: QueryEvidence, c: ComparisonEvidence, ds: InspectDataset, chars: number): string[] {
  const hit = (h: Hit | undefined) => (h ? [`${h.docId} ${scoreText(h)} ${passageLine(ds.passages[h.docId], chars)}`, relevanceMark(h.relevance)] : ['', '']);
  return [
    `#### ${mdCell(`${reasonTitle(q)}: ${q.id} · ${changeLine(q)}`)}`,
    '',
    quote(q.text),
    '',
    `*${mdCell(`${q.words} words · ${measuresLine(q)}`)}*`,
    '',
    ...markdownTable({
      head: ['#', c.a.label, 'rel.', c.b.label, 'rel.'],
      numeric: [true, false, false, false, false],
      rows: hitRows(q).map((r) => [String(r.rank), ...hit(r.a), ...hit(r.b)]),
    }),
    '',
    ...q.relevant.map((r) => `- relevant ${mdCell(relevantLine(r, c))}`),
    ...missedByBoth(q, c.k).map((r) => `- ${mdCell(`${r.docId}: ${passageLine(ds.passages[r.docId], chars)}`)}`),
    '',
  ];
}

/** The whole evidence; `level` is the heading level of each comparison (2 alone, 3 inside a report). */
export function renderMarkdown(model: InspectModel, chars: number, level = 2): string {
  const h = '#'.repeat(level);
  const out: string[] = [];
  for (const ds of model.datasets) {
    for (const c of ds.comparisons) {
      out.push(`${h} ${mdCell(comparisonTitle(c))}`, '', `${mdCell(comparisonIntro(c))}. Marks: ${mdCell(MARKS_LEGEND)}.`, '');
      for (const t of summaryTables(c)) out.push(`**${mdCell(t.title)}**`, '', ...markdownTable(t), '');
      for (const q of c.shown) out.push(...queryBlock(q, c, ds, chars));
    }
  }
  return out.join('\n');
}

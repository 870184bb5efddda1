import Table from 'cli-table3';
import type { ReportTable } from './comparison-rows.js';

/** Terminal rendering: dataset and bias cells span their metric rows, as in the article. */
export function renderTerminal(t: ReportTable): string {
  const table = new Table({ head: t.header, style: { head: [], border: [] } });
  for (const g of t.groups) {
    g.rows.forEach((row, i) => {
      const lead = i === 0 ? [{ content: g.dataset, rowSpan: g.rows.length }, { content: g.bias, rowSpan: g.rows.length }] : [];
      table.push([...lead, ...row]);
    });
  }
  return table.toString();
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown rendering: dataset and bias written on a group's first row only (blog-table style). */
export function renderMarkdown(t: ReportTable): string {
  const numeric = (h: string, i: number) => i >= 3 && !h.startsWith('95%');
  const lines = [
    `| ${t.header.map(mdCell).join(' | ')} |`,
    `|${t.header.map((h, i) => (numeric(h, i) ? '---:' : '---')).join('|')}|`,
  ];
  for (const g of t.groups) {
    g.rows.forEach((row, i) => {
      const lead = i === 0 ? [g.dataset, g.bias] : ['', ''];
      lines.push(`| ${[...lead, ...row].map(mdCell).join(' | ')} |`);
    });
  }
  return lines.join('\n');
}

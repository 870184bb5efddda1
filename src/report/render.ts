/** Text layouts of the report table: terminal, GitHub-flavoured markdown, CSV. */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { cellMarks, cellReasons, type Cell, type ReportTable } from './comparison-rows.js';

/** A cell as text: flagged values carry their marks (†, ‡) pointing at the notes. */
export const cellText = (c: Cell): string => [c.text, ...cellMarks(c)].join(' ');

/** Terminal rendering: dataset and bias cells span their metric rows, as in the article. */
export function renderTerminal(t: ReportTable): string {
  const table = new Table({ head: t.columns.map((c) => c.title), style: { head: [], border: [] } });
  for (const g of t.groups) {
    g.rows.forEach((row, i) => {
      const lead = i === 0 ? [{ content: g.dataset, rowSpan: g.rows.length }, { content: g.bias, rowSpan: g.rows.length }] : [];
      table.push([...lead, ...row.map(cellText)]);
    });
  }
  return table.toString();
}

/**
 * Markdown escaping for table cells: a pipe would end the cell, and emphasis, code, strike-through and HTML
 * characters would change how a label renders. A backslash before any ASCII punctuation renders as that character.
 */
export const mdCell = (s: string): string => s.replace(/[\\|*_`~<>]/g, (c) => `\\${c}`);

/** Markdown rendering (GFM table): dataset and bias written on a group's first row only (blog-table style). */
export function renderMarkdown(t: ReportTable): string {
  const lines = [`| ${t.columns.map((c) => mdCell(c.title)).join(' | ')} |`, `|${t.columns.map((c) => (c.numeric ? '---:' : '---')).join('|')}|`];
  for (const g of t.groups) {
    g.rows.forEach((row, i) => {
      const lead = i === 0 ? [g.dataset, g.bias] : ['', ''];
      lines.push(`| ${[...lead, ...row.map(cellText)].map(mdCell).join(' | ')} |`);
    });
  }
  return lines.join('\n');
}

/**
 * CSV (RFC 4180, via csv-stringify): one rectangular row per dataset and metric, dataset and bias repeated,
 * values as the other formats print them, and a last column spelling out what a † or ‡ would point to.
 */
export function renderCsv(t: ReportTable): string {
  const rows = t.groups.flatMap((g) =>
    g.rows.map((row) => [g.dataset, g.bias, ...row.map((c) => c.text), row.flatMap(cellReasons).join('; ')]),
  );
  return stringify([[...t.columns.map((c) => c.title), 'Cautions'], ...rows]);
}

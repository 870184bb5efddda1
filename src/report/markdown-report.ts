/** The report as GitHub-flavoured markdown: what ran, the article's table, its legend and notes, and the charts. */
import { auditSections, type AuditSection } from './audit-section.js';
import type { ReportModel } from './combine.js';
import type { ReportTable } from './comparison-rows.js';
import { columnDescription, reportTitle, runSettings } from './describe.js';
import { mdCell, renderMarkdown } from './render.js';

/** `charts`: standalone SVGs written beside the markdown file, linked as images; omit when there are none. */
export function reportMarkdown(model: ReportModel, table: ReportTable, notes: string[], charts: { file: string; alt: string }[] = []): string {
  const runs = model.runs.map((r) => `- ${model.runs.length > 1 ? `run ${r.n}: ` : ''}\`${r.runId}\`: ${runSettings(r)}.`);
  return [
    `# ${reportTitle(model)}`,
    '',
    ...model.columns.map((c) => `- **${c.label}** (\`${c.id}\`): ${columnDescription(c)}.`),
    '',
    ...runs,
    '',
    renderMarkdown(table),
    '',
    table.legend,
    '',
    ...notes.map((n) => (n.startsWith('  ') ? `- ${n.trim()}` : `\n**${n}**\n`)),
    ...auditMarkdown(auditSections(model)),
    ...(charts.length ? ['', '## Charts', '', ...charts.map((c) => `![${c.alt.replace(/[[\]\\]/g, (x) => `\\${x}`)}](${c.file})\n`)] : []),
    '',
  ].join('\n');
}

/** The deployment audit, one subsection per audited system (nothing when none was audited). */
function auditMarkdown(sections: AuditSection[]): string[] {
  if (sections.length === 0) return [];
  const row = (cells: string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [
    '',
    '## Deployment audit',
    ...sections.flatMap((s) => [
      '',
      `### ${s.title}`,
      '',
      `**${mdCell(s.verdict)}**`,
      ...(s.runs ? ['', `${s.runs}.`] : []),
      '',
      row(s.head),
      `|${s.head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
      ...s.rows.map(row),
      '',
      `${s.reference}.`,
    ]),
  ];
}

/**
 * The report as one self-contained HTML page: the article's table (dataset and bias cells spanning their metric
 * rows), its legend and notes, and the charts as inline SVG in a light and a dark rendering, shown by the
 * reader's prefers-color-scheme. No scripts and no external requests (a Content-Security-Policy forbids them),
 * so the page can be mailed, archived or pasted into a blog as is.
 */
import { auditSections, type AuditSection } from './audit-section.js';
import type { ReportModel } from './combine.js';
import { cellMarks, cellReasons, type Cell, type ReportTable } from './comparison-rows.js';
import { columnDescription, reportTitle, runSettings } from './describe.js';
import type { ThemeName } from './vega-svg.js';
import { THEMES } from './vega-svg.js';

/** A chart rendered in both themes. */
export interface RenderedChart {
  file: string;
  dataset: string | null;
  title: string;
  alt: string;
  svg: Record<ThemeName, string>;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const { light, dark } = THEMES;

const STYLE = `
:root { color-scheme: light dark; --bg: ${light.background}; --fg: ${light.text}; --muted: ${light.muted}; --rule: ${light.grid}; --band: #f6f8fa; }
body { margin: 2rem auto; max-width: 84rem; padding: 0 1rem; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.25rem; }
h3 { font-size: 1rem; margin-bottom: 0.25rem; }
.muted, figcaption, .legend { color: var(--muted); font-size: 0.875rem; }
code { font-size: 0.85em; }
.table-wrap { overflow-x: auto; }
table.results { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.875rem; margin: 1rem 0 0.5rem; }
table.results caption { text-align: left; padding-bottom: 0.25rem; }
table.results th, table.results td { border: 1px solid var(--rule); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
table.results thead th { background: var(--band); }
table.results td { white-space: nowrap; }
table.results td.num { text-align: right; }
table.results thead th { text-align: center; }
table.results tbody th { font-weight: 600; }
figure { margin: 1.5rem 0; }
.chart svg { max-width: 100%; height: auto; }
ul.notes { padding-left: 1.25rem; }
/* After the rules it overrides: the dark page shows the dark renderings of the charts. */
.chart-dark { display: none; }
@media (prefers-color-scheme: dark) {
  :root { --bg: ${dark.background}; --fg: ${dark.text}; --muted: ${dark.muted}; --rule: ${dark.grid}; --band: #161b22; }
  .chart-light { display: none; }
  .chart-dark { display: block; }
}
`;

function cellHtml(c: Cell, numeric: boolean): string {
  const marks = cellMarks(c);
  const mark = marks.length ? ` <sup>${marks.join('')}</sup>` : '';
  const title = marks.length ? ` title="${esc(cellReasons(c).join('; '))}"` : '';
  return `<td${numeric ? ' class="num"' : ''}${title}>${esc(c.text)}${mark}</td>`;
}

/**
 * The header: one row, or two when comparisons have statistics columns, each pair's name spanning its Change and
 * statistics columns (the other titles span both rows). Without statistics it is the article's single row.
 */
function headHtml(t: ReportTable): string {
  const spans = t.columns.some((c, i) => c.group && t.columns[i + 1]?.group?.name === c.group.name);
  if (!spans) return `<thead><tr>${t.columns.map((c) => `<th scope="col">${esc(c.title)}</th>`).join('')}</tr></thead>`;
  const top: string[] = [];
  const sub: string[] = [];
  t.columns.forEach((c, i) => {
    if (!c.group) {
      top.push(`<th scope="col" rowspan="2">${esc(c.title)}</th>`);
      return;
    }
    sub.push(`<th scope="col">${esc(c.group.sub)}</th>`);
    if (t.columns[i - 1]?.group?.name === c.group.name) return;
    const span = t.columns.slice(i).findIndex((x) => x.group?.name !== c.group!.name);
    top.push(`<th scope="colgroup" colspan="${span === -1 ? t.columns.length - i : span}">${esc(c.group.name)}</th>`);
  });
  return `<thead>\n<tr>${top.join('')}</tr>\n<tr>${sub.join('')}</tr>\n</thead>`;
}

/** The article's table: one tbody per dataset, whose dataset and bias cells span its metric rows. */
export function renderHtmlTable(t: ReportTable, caption: string): string {
  const head = headHtml(t);
  const bodies = t.groups.map((g) => {
    const rows = g.rows.map((row, i) => {
      const lead = i === 0 ? `<th scope="rowgroup" rowspan="${g.rows.length}">${esc(g.dataset)}</th><td rowspan="${g.rows.length}">${esc(g.bias)}</td>` : '';
      return `<tr>${lead}${row.map((c, j) => cellHtml(c, t.columns[j + 2].numeric)).join('')}</tr>`;
    });
    return `<tbody>\n${rows.join('\n')}\n</tbody>`;
  });
  return `<table class="results">\n<caption class="muted">${esc(caption)}</caption>\n${head}\n${bodies.join('\n')}\n</table>`;
}

function figure(c: RenderedChart): string {
  const themed = (theme: ThemeName) => `<div class="chart chart-${theme}" role="img" aria-label="${esc(c.alt)}">${c.svg[theme]}</div>`;
  return `<figure id="${esc(c.file.replace(/\.svg$/, ''))}">\n${themed('light')}\n${themed('dark')}\n<figcaption>${esc(c.title)} (<code>${esc(c.file)}</code>)</figcaption>\n</figure>`;
}

/** Notes as nested lists: a line without indentation heads a dataset, indented lines belong to it. */
function notesHtml(notes: string[]): string {
  const out: string[] = [];
  let open = false;
  for (const n of notes) {
    if (n.startsWith('  ')) {
      if (!open) out.push('<ul class="notes">');
      open = true;
      out.push(`<li>${esc(n.trim())}</li>`);
    } else {
      if (open) out.push('</ul>');
      open = false;
      out.push(`<h3>${esc(n)}</h3>`);
    }
  }
  if (open) out.push('</ul>');
  return out.join('\n');
}

/** The deployment audit, one subsection per audited system, tables styled as the results table. */
function auditHtml(sections: AuditSection[]): string {
  if (sections.length === 0) return '';
  const parts = sections.map((s) => {
    const rows = s.rows.map((r) => `<tr>${r.map((c, i) => `<td${i < 2 ? '' : ' class="num"'}>${esc(c)}</td>`).join('')}</tr>`);
    return [
      `<h3>${esc(s.title)}</h3>`,
      `<p><strong>${esc(s.verdict)}</strong></p>`,
      ...(s.runs ? [`<p>${esc(s.runs)}.</p>`] : []),
      `<table class="results">\n<thead><tr>${s.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
      `<p class="muted">${esc(s.reference)}.</p>`,
    ].join('\n');
  });
  return `<h2>Deployment audit</h2>\n${parts.join('\n')}`;
}

/** A section another layer renders (the per-query evidence of `report --inspect`): its HTML and the styles it needs. */
export interface HtmlAppendix {
  style: string;
  html: string;
}

export function renderHtmlPage(model: ReportModel, table: ReportTable, notes: string[], charts: RenderedChart[], appendix?: HtmlAppendix): string {
  const title = reportTitle(model);
  const systems = model.columns.map((c) => `<li><strong>${esc(c.label)}</strong> (<code>${esc(c.id)}</code>): ${esc(columnDescription(c))}.</li>`);
  const runs = model.runs.map((r) => `<li>${model.runs.length > 1 ? `run ${r.n}: ` : ''}<code>${esc(r.runId)}</code> (${esc(r.source)}): ${esc(runSettings(r))}.</li>`);
  const chartSections = [
    ...model.datasets.map((d) => {
      const own = charts.filter((c) => c.dataset === d.name);
      return own.length ? `<h3>${esc(d.displayName)}</h3>\n${own.map(figure).join('\n')}` : '';
    }),
    ...charts.filter((c) => c.dataset === null).map(figure),
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title>
<style>${STYLE}${appendix?.style ?? ''}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">Generated by beir-bench from ${model.runs.length === 1 ? 'results.json' : `${model.runs.length} results.json files`}.</p>
<h2>Results</h2>
<div class="table-wrap">
${renderHtmlTable(table, `${model.metrics.length} metrics per dataset; the first system of each run is its baseline.`)}
</div>
<p class="legend">${esc(table.legend)}</p>
<h2>Systems</h2>
<ul>
${systems.join('\n')}
</ul>
<h2>Runs</h2>
<ul>
${runs.join('\n')}
</ul>
<h2>Notes</h2>
${notesHtml(notes)}
${auditHtml(auditSections(model))}
${chartSections.length ? `<h2>Charts</h2>\n${chartSections.join('\n')}` : ''}
${appendix?.html ?? ''}
</body>
</html>
`;
}

import { parse as parseCsv } from 'csv-parse/sync';
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { combineResults, type ReportModel } from '../../src/report/combine.js';
import { buildReportTable, type ReportTable } from '../../src/report/comparison-rows.js';
import { renderHtmlTable } from '../../src/report/html-page.js';
import { cellText, renderCsv, renderMarkdown } from '../../src/report/render.js';
import { renderReport } from '../../src/report/report-files.js';
import { fixtureResults, NO_PUBLISHED } from './fixture.js';

async function model(): Promise<ReportModel> {
  const sf = await fixtureResults({ runId: 'sf', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'scifact' }] });
  const nf = await fixtureResults({ runId: 'nf', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'nfcorpus', queries: 40 }] });
  return combineResults([
    { results: sf, source: 'sf.json' },
    { results: nf, source: 'nf.json' },
  ], { published: NO_PUBLISHED });
}

/** A markdown table as GitHub shows it: the header, then every row, as the text a reader sees in each cell. */
function parseGfmTable(md: string): { header: string[]; rows: string[][]; align: (string | null)[] } {
  const tables = marked.lexer(md, { gfm: true }).filter((t): t is Tokens.Table => t.type === 'table');
  expect(tables).toHaveLength(1);
  const visible = (tokens: Token[]): string =>
    tokens
      .map((t) => {
        // Plain text only: emphasis, code, links or HTML would mean a label changed how it renders.
        expect(['text', 'escape']).toContain(t.type);
        return (t as Tokens.Text).text;
      })
      .join('');
  const [t] = tables;
  return { header: t.header.map((c) => visible(c.tokens)), rows: t.rows.map((r) => r.map((c) => visible(c.tokens))), align: t.align };
}

/** The table as markdown must show: dataset and bias on each group's first row, blank below. */
function expectedRows(t: ReportTable): string[][] {
  return t.groups.flatMap((g) => g.rows.map((row, i) => [i === 0 ? g.dataset : '', i === 0 ? g.bias : '', ...row.map(cellText)]));
}

describe('markdown', () => {
  it('renders on GitHub (GFM) as the same table: every header, cell and alignment, read back by a markdown parser', async () => {
    const m = await model();
    const table = buildReportTable(m, ['ci', 'p', 'wtl']);
    const parsed = parseGfmTable(renderMarkdown(table));
    expect(parsed.header).toEqual(table.columns.map((c) => c.title));
    expect(parsed.rows).toEqual(expectedRows(table));
    expect(parsed.align).toEqual(table.columns.map((c) => (c.numeric ? 'right' : null)));
    expect(parsed.rows).toHaveLength(6);
  });

  it('keeps labels with markdown characters literal (pipes, emphasis, code, HTML)', async () => {
    const m = await model();
    m.columns[0].label = 'e5 | *sym* _x_ `code` <b>bold</b> ~~no~~ \\';
    const table = buildReportTable(m);
    const parsed = parseGfmTable(renderMarkdown(table));
    expect(parsed.header[3]).toBe(m.columns[0].label);
    expect(parsed.rows).toEqual(expectedRows(table));
  });

  it('is the whole report: the table once, among systems, legend and notes', async () => {
    const md = await renderReport(await model(), 'md');
    expect(md).toMatch(/^# beir-bench: 2 runs combined\n/);
    expect(md).toContain('- **Asymmetric** (`e5-small-v2.asymmetric`): intfloat/e5-small-v2 fp32, prefix policy asymmetric, engine exact.');
    expect(md).toContain('**SciFact: expected bias GOOD');
    expect(md).not.toContain('## Charts');
    expect(marked.lexer(md).filter((t) => t.type === 'table')).toHaveLength(1);
  });
});

describe('csv', () => {
  it('is the same table, rectangular, with dataset and bias on every row and the cautions spelled out', async () => {
    const table = buildReportTable(await model());
    const rows = parseCsv(renderCsv(table)) as string[][];
    expect(rows[0]).toEqual([...table.columns.map((c) => c.title), 'Cautions']);
    const body = table.groups.flatMap((g) => g.rows.map((r) => [g.dataset, g.bias, ...r.map((c) => c.text), r.flatMap((c) => c.cautions ?? []).join('; ')]));
    expect(rows.slice(1)).toEqual(body);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
  });
});

describe('json', () => {
  it('holds the table\'s numbers at full precision, per column and dataset', async () => {
    const m = await model();
    const doc = JSON.parse(await renderReport(m, 'json'));
    expect(doc.columns.map((c: { id: string }) => c.id)).toEqual(m.columns.map((c) => c.id));
    const sf = doc.datasets[0];
    expect(sf.systems[1].mean['ndcg_cut.10']).toBe(m.datasets[0].cells[1].results.mean['ndcg_cut.10']);
    expect(sf.systems[1].ci95['ndcg_cut.10']).toEqual(m.datasets[0].cells[1].ci95!['ndcg_cut.10']);
    expect(sf.comparisons[0].metrics[0].pHolm).toBe(m.datasets[0].comparisons[0].metrics[0].pHolm);
  });
});

describe('html table', () => {
  it('is the article\'s table without statistics: one header row, dataset and bias spanning their metric rows', async () => {
    const sf = await fixtureResults({ runId: 'sf', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const html = renderHtmlTable(buildReportTable(combineResults([{ results: sf, source: 'sf' }], { published: NO_PUBLISHED }), []), 'caption');
    expect(html).toContain(
      '<thead><tr><th scope="col">Dataset</th><th scope="col">Bias</th><th scope="col">Metric</th><th scope="col">Symmetric</th>' +
        '<th scope="col">Asymmetric</th><th scope="col">Asymmetric vs Symmetric</th></tr></thead>',
    );
    expect(html).toMatch(/<tr><th scope="rowgroup" rowspan="3">SciFact<\/th><td rowspan="3">GOOD<\/td><td>NDCG@10<\/td><td class="num">0\.\d{4}<\/td>/);
  });

  it('groups each comparison\'s statistics under its name in a second header row, and escapes labels', async () => {
    const m = await model();
    m.columns[1].label = 'A<sym> & "B"';
    const html = renderHtmlTable(buildReportTable(m, ['ci', 'p']), 'caption');
    expect(html).toContain('<th scope="colgroup" colspan="3">A&#60;sym&#62; &#38; &#34;B&#34; vs Symmetric</th>');
    expect(html).toContain('<tr><th scope="col">Change</th><th scope="col">95% CI of Δ</th><th scope="col">p (Holm)</th><th scope="col">Change</th>');
    expect(html).not.toContain('<sym>');
  });
});

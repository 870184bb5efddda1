/**
 * A report in any format, and a report folder: report.<format> plus every chart as a standalone SVG.
 * `bench` puts report.md, report.html and the SVGs in results/<run-id>/; `report --out DIR` writes a folder
 * of its own the same way (built in a temp folder, renamed into place, see `writeReportFolder`).
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { replaceIfUnchanged, withTempPath, type PathState } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { reportCharts } from './charts.js';
import type { ResultsFile } from '../results/schema.js';
import { combineResults, type ReportModel } from './combine.js';
import { buildReportTable, DEFAULT_EXTRA_COLUMNS, reportNotes, type ExtraColumn } from './comparison-rows.js';
import { renderHtmlPage, type HtmlAppendix, type RenderedChart } from './html-page.js';
import { reportMarkdown } from './markdown-report.js';
import { renderCsv } from './render.js';
import { reportJson } from './report-json.js';
import { renderSvg } from './vega-svg.js';

export const REPORT_FORMATS = ['md', 'html', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Every chart of the report, rendered in the light and the dark theme. */
export async function renderCharts(model: ReportModel): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of reportCharts(model)) {
    out.push({ file: c.file, dataset: c.dataset, title: c.title, alt: c.alt, svg: { light: await renderSvg(c, 'light'), dark: await renderSvg(c, 'dark') } });
  }
  return out;
}

export interface RenderOptions {
  /** Statistics beside each change column (default: CI and Holm p). */
  extras?: readonly ExtraColumn[];
  /** Charts already rendered (renderCharts); html renders them when absent. */
  charts?: RenderedChart[];
  /** Markdown: link the charts as image files beside the report (true when the SVGs are written with it). */
  linkCharts?: boolean;
  /** Sections after the report's own (`report --inspect`): markdown text and an HTML section with its styles. */
  appendix?: { md: string; html: HtmlAppendix };
}

/** The report in one format, as text. */
export async function renderReport(model: ReportModel, format: ReportFormat, opts: RenderOptions = {}): Promise<string> {
  const table = buildReportTable(model, opts.extras ?? DEFAULT_EXTRA_COLUMNS);
  switch (format) {
    case 'md':
      return reportMarkdown(model, table, reportNotes(model), opts.linkCharts ? (opts.charts ?? (await renderCharts(model))) : []) + (opts.appendix ? `\n${opts.appendix.md}` : '');
    case 'html':
      return renderHtmlPage(model, table, reportNotes(model), opts.charts ?? (await renderCharts(model)), opts.appendix?.html);
    case 'json':
      return reportJson(model);
    case 'csv':
      return renderCsv(table);
  }
}

/** The files of a report folder: report.<format> for each format asked, and each chart's light SVG. */
export async function reportFiles(
  model: ReportModel,
  formats: readonly ReportFormat[],
  extras?: readonly ExtraColumn[],
  appendix?: RenderOptions['appendix'],
): Promise<Map<string, string>> {
  const charts = await renderCharts(model);
  const files = new Map<string, string>();
  for (const f of formats) files.set(`report.${f}`, await renderReport(model, f, { extras, charts, linkCharts: true, appendix }));
  for (const c of charts) files.set(c.file, c.svg.light);
  return files;
}

/** Names a report folder holds, so replacing one never deletes anything else. */
const REPORT_ENTRY = /^(report\.(md|html|json|csv)|[A-Za-z0-9+._-]+\.svg)$/;

/**
 * The reports a run folder holds beside its results.json (report.md, report.html, the chart SVGs), rendered from
 * it as `report` does, with the model they were rendered from (bench prints its table from the same model).
 */
export async function runReports(results: ResultsFile): Promise<{ model: ReportModel; files: Map<string, string> }> {
  const model = combineResults([{ results, source: 'results.json' }]);
  return { model, files: await reportFiles(model, ['md', 'html']) };
}

/**
 * Write `files` as the folder `dir`, all or nothing: into a temp folder first, renamed into place at the end.
 * An existing `dir` is replaced only when it holds nothing but report files (a previous report); anything
 * else is an error, so `--out .` never deletes a user's files. `seen` is `dir` as the command found it when it
 * started: a report another process wrote there meanwhile is not replaced, this one fails instead
 * (`replaceIfUnchanged`), so of two reports written to one folder at once neither is silently lost.
 */
export async function writeReportFolder(dir: string, files: Map<string, string>, seen: PathState): Promise<void> {
  const existing = await stat(dir).then(
    (s) => s,
    () => null,
  );
  if (existing) {
    const foreign = existing.isDirectory() ? (await readdir(dir)).filter((e) => !REPORT_ENTRY.test(e)) : [dir];
    if (foreign.length) {
      throw new UserError(`--out ${dir} exists and is not a report folder (it holds ${foreign.slice(0, 3).join(', ')}): choose a new or empty folder`);
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  await withTempPath(dir, async (tmp) => {
    await mkdir(tmp);
    for (const [name, text] of files) await writeFile(join(tmp, name), text);
    await replaceIfUnchanged(tmp, dir, seen);
  });
}

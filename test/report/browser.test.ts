/**
 * report.html in a real browser (headless Debian Chromium, driven by playwright-core): the table's structure and
 * every number, each chart's marks in the light and the dark theme, no network request, and a screenshot of
 * each theme under test-output/report-browser/. The inputs are real bench runs on small slices: SciFact and
 * NFCorpus as two runs (symmetric, asymmetric, BM25 when models are provisioned, BM25 alone otherwise), plus an
 * OpenSearch SciFact run for the HNSW chart when OPENSEARCH_URL is set.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCharts, type ChartSpec } from '../../src/report/charts.js';
import { combineResults, type ReportModel } from '../../src/report/combine.js';
import { buildReportTable, type ReportTable } from '../../src/report/comparison-rows.js';
import { cellText } from '../../src/report/render.js';
import { readResults } from '../../src/results/read-results.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { deleteIndexes, NODE_URL, rawClient, testPrefix, warnIfNoNode } from '../opensearch/helpers.js';

const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'report-browser');
const ready = hasChromium() && hasSharedBeir();
const modelsDir = ready ? warnIfNoModels('browser report test with dense systems (BM25 only instead)') : null;
if (ready && modelsDir) warnIfNoNode('browser report test, HNSW overlap chart');
const withOpenSearch = Boolean(modelsDir && NODE_URL);

let work: string;
let browser: Browser;
let model: ReportModel;
let table: ReportTable;
let charts: ChartSpec[];
const prefix = testPrefix();

async function bench(name: string, args: string[], arms = modelsDir ? 'symmetric,asymmetric,bm25' : 'bm25'): Promise<string> {
  const dest = join(work, name);
  const common = ['--data-dir', SHARED_BEIR, '--max-docs', '60', '--permutations', '500', '--quiet', '--out', dest, '--arms', arms];
  const models = modelsDir ? ['--models-dir', modelsDir, '--embed-cache-dir', join(work, 'embeddings')] : [];
  const r = await runCli(['bench', ...common, ...models, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return join(dest, (await readdir(dest))[0]);
}

async function open(scheme: 'light' | 'dark'): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: scheme });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${join(work, 'report', 'report.html')}`);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `report-${scheme}.png`), fullPage: true });
  return { page, requests };
}

describe.skipIf(!ready)('report.html in headless Chromium', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-report-browser-'));
    // Few queries: every kept query brings its relevant passages (NFCorpus: ~40 each), and each passage is encoded twice.
    const runs = [await bench('scifact', ['--dataset', 'scifact', '--max-queries', '20']), await bench('nfcorpus', ['--dataset', 'nfcorpus', '--max-queries', '6'])];
    if (withOpenSearch) {
      runs.push(await bench('opensearch', ['--dataset', 'scifact', '--max-queries', '20', '--backend', 'opensearch', '--opensearch-url', NODE_URL!, '--index-prefix', prefix], 'symmetric,asymmetric'));
    }
    const r = await runCli(['report', ...runs, '--format', 'html', '--out', join(work, 'report')]);
    expect(r.code, r.stderr).toBe(0);
    model = combineResults(await Promise.all(runs.map(async (dir) => ({ results: await readResults(join(dir, 'results.json')), source: dir }))));
    table = buildReportTable(model);
    charts = reportCharts(model);
    browser = await launchChromium();
  }, 1_200_000);

  afterAll(async () => {
    await browser?.close();
    if (withOpenSearch) {
      const client = rawClient();
      await deleteIndexes(client, prefix);
      await client.close();
    }
    await rm(work, { recursive: true, force: true });
  });

  it('shows the article\'s table: a row group per dataset whose dataset and bias cells span its metric rows, every number in place', async () => {
    const { page } = await open('light');
    const groups = await page.$$eval('table.results tbody', (bodies) =>
      bodies.map((b) => ({
        dataset: b.querySelector('th[scope=rowgroup]')?.textContent,
        datasetSpan: b.querySelector('th[scope=rowgroup]')?.getAttribute('rowspan'),
        biasSpan: b.querySelector('tr:first-child td[rowspan]')?.getAttribute('rowspan'),
        // Every row's cells after the spanning ones.
        rows: [...b.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td:not([rowspan])')].map((td) => td.textContent)),
      })),
    );
    expect(groups).toEqual(
      table.groups.map((g) => ({
        dataset: g.dataset,
        datasetSpan: String(model.metrics.length),
        biasSpan: String(model.metrics.length),
        rows: g.rows.map((r) => r.map(cellText)),
      })),
    );
    expect(groups.map((g) => g.dataset)).toEqual(['SciFact', 'NFCorpus']);
    // The header: the systems (one with a published score spanning its Measured and Published columns), then each
    // comparison's name spanning its Change and statistics columns.
    const header = await page.$$eval('table.results thead tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th')].map((th) => `${th.textContent}/${th.getAttribute('colspan') ?? 1}`)));
    const top = table.columns.flatMap((c, i) => {
      if (!c.group) return [`${c.title}/1`];
      if (table.columns[i - 1]?.group?.name === c.group.name) return [];
      return [`${c.group.name}/${table.columns.filter((x) => x.group?.name === c.group!.name).length}`];
    });
    expect(header[0]).toEqual(top);
    expect(top.filter((t) => t.endsWith('/3'))).toHaveLength(table.columns.filter((c) => c.group?.sub === 'Change').length);
    // Asymmetric e5-small-v2 claims its model's protocol: Measured and Published under its name ("Asymmetric", or
    // "Asymmetric (exact)" beside the OpenSearch run's columns).
    if (modelsDir) expect(top.filter((t) => /^Asymmetric( \(exact\))?\/2$/.test(t))).toHaveLength(1);
    await page.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`draws every chart's marks in the ${scheme} theme, and requests nothing from the network`, async () => {
      const { page, requests } = await open(scheme);
      const drawn = await page.$$eval(`figure .chart-${scheme}`, (divs) =>
        divs.map((div) => {
          const box = div.getBoundingClientRect();
          const count = (mark: string) => div.querySelectorAll(`g.mark-${mark}.role-mark > *`).length;
          return {
            id: div.parentElement!.id,
            label: div.getAttribute('aria-label'),
            visible: box.width > 100 && box.height > 100,
            rect: count('rect'),
            symbol: count('symbol'),
            text: count('text'),
          };
        }),
      );
      expect(drawn.map((d) => d.id)).toEqual(charts.map((c) => c.file.replace(/\.svg$/, '')));
      for (const [i, c] of charts.entries()) {
        const d = drawn[i];
        expect(d.visible, `${c.file} is visible`).toBe(true);
        expect(d.label).toBe(c.alt);
        const dataset = model.datasets.find((x) => x.name === c.dataset);
        if (c.file.startsWith('scores-')) expect(d.rect).toBeGreaterThanOrEqual(dataset!.cells.length * model.metrics.length);
        if (c.file.startsWith('gain-')) {
          expect(d.symbol).toBe(dataset!.queries);
          expect(d.text).toBeGreaterThan(0);
        }
        if (c.file === 'hnsw-overlap.svg') expect(d.rect).toBe(model.datasets.flatMap((x) => x.cells).filter((x) => x.results.approximation).length);
      }
      // The other theme's renderings are hidden.
      const other = scheme === 'light' ? 'dark' : 'light';
      expect(await page.$$eval(`figure .chart-${other}`, (divs) => divs.every((d) => getComputedStyle(d).display === 'none'))).toBe(true);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(requests).toHaveLength(1);
      await page.close();
    });
  }

  it('has the charts the runs call for', () => {
    const files = charts.map((c) => c.file);
    expect(files).toContain('scores-scifact.svg');
    expect(files).toContain('scores-nfcorpus.svg');
    if (modelsDir) expect(files.filter((f) => f.startsWith('gain-')).length).toBeGreaterThanOrEqual(4);
    if (withOpenSearch) expect(files).toContain('hnsw-overlap.svg');
  });
});

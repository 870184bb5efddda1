import { describe, expect, it } from 'vitest';
import { spearman } from '../../src/eval/length-analysis.js';
import { reportCharts } from '../../src/report/charts.js';
import { combineResults, type ReportModel } from '../../src/report/combine.js';
import { fmtCorrelation, fmtScore, fmtScoreInterval } from '../../src/report/numbers.js';
import { renderCharts } from '../../src/report/report-files.js';
import { renderSvg } from '../../src/report/vega-svg.js';
import { fixtureResults, type RunFixture } from './fixture.js';

async function modelOf(...runs: RunFixture[]): Promise<ReportModel> {
  return combineResults(await Promise.all(runs.map(async (f) => ({ results: await fixtureResults(f), source: f.runId }))));
}

/** The items Vega drew for one kind of data mark (its axes, legends and titles are other groups). */
function markItems(svg: string, mark: 'rect' | 'symbol' | 'rule' | 'text' | 'line'): number {
  const element = { rect: '<path', symbol: '<path', rule: '<line', text: '<text', line: '<path' }[mark];
  return [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))].reduce((n, m) => n + m[1].split(element).length - 1, 0);
}

describe('charts', () => {
  it('draws each system\'s mean per metric as a bar with an error bar, numbers in the alt text', async () => {
    const model = await modelOf({ runId: 'r', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'scifact' }] });
    const [scores] = await renderCharts(model);
    expect(scores.file).toBe('scores-scifact.svg');
    // 3 systems x 3 metrics: a bar each, and an error bar each (a rule between two ticks, Vega-Lite draws ticks as rects).
    expect(markItems(scores.svg.light, 'rect')).toBe(9 + 2 * 9);
    expect(markItems(scores.svg.light, 'rule')).toBe(9);
    const cell = model.datasets[0].cells[1];
    expect(scores.alt).toContain(`Asymmetric: NDCG@10 ${fmtScore(cell.results.mean['ndcg_cut.10'])} ${fmtScoreInterval(cell.ci95!['ndcg_cut.10'])}`);
    expect(scores.svg.light).toContain(`aria-label="${scores.alt}"`);
  });

  it('plots every query\'s gain against its length, with Spearman\'s rho in the title', async () => {
    const model = await modelOf({ runId: 'r', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact', queries: 80 }] });
    const charts = await renderCharts(model);
    const gain = charts.find((c) => c.file.startsWith('gain-'))!;
    expect(gain.file).toBe('gain-scifact-e5-small-v2.asymmetric-vs-e5-small-v2.symmetric.svg');
    expect(markItems(gain.svg.light, 'symbol')).toBe(80);
    const d = model.datasets[0];
    const la = d.comparisons[0].lengthAnalysis;
    expect(gain.title).toContain(`(Spearman ρ = ${fmtCorrelation(la.spearman)})`);
    expect(gain.svg.light).toContain(`Spearman ρ = ${fmtCorrelation(la.spearman)}`);
    // One labelled bar per length bucket.
    expect(markItems(gain.svg.light, 'text')).toBeGreaterThanOrEqual(la.buckets.length);
    // The per-query lengths in results.json are the ones the run's length analysis used.
    const [base, asym] = d.cells.map((c) => c.results.perQuery);
    const ids = Object.keys(asym);
    const rho = spearman(ids.map((q) => d.queryWords![q]), ids.map((q) => asym[q]['ndcg_cut.10'] - base[q]['ndcg_cut.10']));
    expect(rho).toBeCloseTo(la.spearman!, 12);
  });

  it('leaves the gain chart out for results written before per-query lengths were recorded', async () => {
    const model = await modelOf({ runId: 'r', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact', noQueryWords: true }] });
    expect(reportCharts(model).map((c) => c.file)).toEqual(['scores-scifact.svg']);
  });

  it('draws the HNSW-vs-exact overlap only for approximate systems', async () => {
    const embedded = await modelOf({ runId: 'e', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    expect(reportCharts(embedded).some((c) => c.file === 'hnsw-overlap.svg')).toBe(false);
    const os = await modelOf({ runId: 'o', arms: 'symmetric,asymmetric,bm25', backend: 'opensearch', datasets: [{ name: 'scifact' }, { name: 'nfcorpus' }] });
    const overlap = (await renderCharts(os)).find((c) => c.file === 'hnsw-overlap.svg')!;
    // Two HNSW systems on two datasets: a bar each, and an HNSW and an exact point each.
    expect(markItems(overlap.svg.light, 'rect')).toBe(4);
    expect(markItems(overlap.svg.light, 'symbol')).toBe(8);
    expect(overlap.alt).toContain('SciFact · Symmetric: overlap 95.0%');
  });

  it('renders the same SVG every time, with the theme\'s background', async () => {
    const model = await modelOf({ runId: 'r', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const [chart] = reportCharts(model);
    const a = await renderSvg(chart, 'light');
    expect(await renderSvg(chart, 'light')).toBe(a);
    expect(a).toContain('fill="#ffffff"');
    expect(await renderSvg(chart, 'dark')).toContain('fill="#0d1117"');
  });
});

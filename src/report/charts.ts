/**
 * The report's charts as Vega-Lite specs (rendered to SVG by vega-svg.ts), each with a title, alt text and the
 * file name of its standalone SVG:
 *  - scores-<dataset>.svg: each system's mean per metric, with a 95% bootstrap interval of that mean
 *    (percentile bootstrap over queries, per system, seeded with the run's seed: ReportCell.ci95);
 *  - gain-<dataset>-<system>-vs-<baseline>.svg: each query's gain in the primary metric against its length in
 *    words, with the length-quartile means and Spearman's rho the run computed (the seed article's claim);
 *  - hnsw-overlap.svg: for approximate (HNSW) systems, top-k overlap with exact search and both primary means;
 *  - fusion-weights-<dataset>-<system>.svg: a --fusion-weights curve, on the test queries and the tuning split.
 * Numbers printed in titles, labels and alt text go through numbers.ts like every other report number.
 */
import { engineOf } from '../engines/registry.js';
import type { TopLevelSpec } from 'vega-lite';
import { displayName } from '../eval/metrics.js';
import { Prng } from '../eval/prng.js';
import type { FusionSweep } from '../bench/fusion-sweep.js';
import { formatFixed } from '../eval/format.js';
import type { ReportComparison, ReportDataset, ReportModel } from './combine.js';
import { weightMeaning } from './fusion-notes.js';
import { labelOf } from './comparison-rows.js';
import { fmtCorrelation, fmtPercent, fmtScore, fmtScoreInterval, signed } from './numbers.js';

/** Colours a chart needs beyond Vega-Lite's config (vega-svg.ts holds one per page theme). */
export interface ChartColors {
  background: string;
  text: string;
  /** Bucket means and other highlights. */
  accent: string;
  /** Per-query points. */
  points: string;
}

export interface ChartSpec {
  /** Standalone SVG file name. */
  file: string;
  /** Dataset name, or null for a chart across datasets. */
  dataset: string | null;
  title: string;
  /** A text alternative carrying the chart's numbers. */
  alt: string;
  /** The spec, given the theme's colours (the page renders it once per theme). */
  spec: (colors: ChartColors) => TopLevelSpec;
}

/** Titles longer than this are broken into lines, so a chart is not stretched (and then shrunk) by its title. */
const TITLE_LINE = 90;

/** A long title as lines of at most TITLE_LINE characters, broken at spaces; `tail` (e.g. the rho) is never broken. */
function wrapTitle(title: string, tail = ''): string | string[] {
  const full = tail ? `${title} ${tail}` : title;
  if (full.length <= TITLE_LINE) return full;
  const lines = [''];
  for (const word of [...title.split(' '), ...(tail ? [tail] : [])]) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + 1 + word.length > TITLE_LINE) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return lines;
}

/** Horizontal jitter of gain points, in words: lengths are small integers shared by many queries. */
const JITTER = 0.3;

function scoresChart(model: ReportModel, d: ReportDataset): ChartSpec {
  const label = labelOf(model);
  const systems = d.cells.map((c) => label(c.column));
  const metrics = model.metrics.map(displayName);
  const values = d.cells.flatMap((c) =>
    model.metrics.map((m) => ({
      system: label(c.column),
      metric: displayName(m),
      mean: c.results.mean[m],
      lo: c.ci95?.[m][0] ?? c.results.mean[m],
      hi: c.ci95?.[m][1] ?? c.results.mean[m],
    })),
  );
  const title = `${d.displayName}: mean per system, with 95% bootstrap intervals`;
  const alt =
    `Grouped bar chart. ${title}, over ${d.queries} queries. ` +
    d.cells
      .map((c) => `${label(c.column)}: ${model.metrics.map((m) => `${displayName(m)} ${fmtScore(c.results.mean[m])}${c.ci95 ? ` ${fmtScoreInterval(c.ci95[m])}` : ''}`).join(', ')}`)
      .join('; ') +
    '.';
  return {
    file: `scores-${d.name}.svg`,
    dataset: d.name,
    title,
    alt,
    spec: (colors) => ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: wrapTitle(title),
        subtitle: `Error bars: percentile bootstrap of each system's mean over queries. Paired differences and p-values: see the table.`,
      },
      width: Math.max(440, systems.length * metrics.length * 34),
      height: 220,
      data: { values },
      encoding: {
        x: { field: 'metric', type: 'nominal', sort: metrics, title: null, axis: { labelAngle: 0 } },
        xOffset: { field: 'system', type: 'nominal', sort: systems },
        color: { field: 'system', type: 'nominal', sort: systems, title: null, legend: { orient: 'bottom', direction: 'horizontal' } },
      },
      layer: [
        { mark: { type: 'bar' }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'mean over queries' } } },
        {
          mark: { type: 'errorbar', ticks: { size: 6 }, thickness: 1.5 },
          encoding: { y: { field: 'lo', type: 'quantitative', title: 'mean over queries' }, y2: { field: 'hi' }, color: { value: colors.text } },
        },
      ],
    }),
  };
}

function gainChart(model: ReportModel, d: ReportDataset, c: ReportComparison, words: Record<string, number>, seed: number): ChartSpec {
  const label = labelOf(model);
  const primary = model.metrics[0];
  const metric = displayName(primary);
  const base = d.cells.find((x) => x.column === c.baseline)!.results.perQuery;
  const sys = d.cells.find((x) => x.column === c.system)!.results.perQuery;
  const rng = new Prng(seed);
  const points = Object.keys(sys)
    .filter((q) => base[q] !== undefined && words[q] !== undefined)
    .map((q) => ({ query: q, words: words[q], x: words[q] + (rng.nextUint32() / 2 ** 32 - 0.5) * 2 * JITTER, gain: sys[q][primary] - base[q][primary] }));
  // Labels alternate above and below their bars: neighbouring buckets can be one word wide.
  const buckets = c.lengthAnalysis.buckets.map((b, i) => ({
    above: i % 2 === 0,
    lo: b.minWords - 0.45,
    hi: b.maxWords + 0.45,
    mid: (b.minWords + b.maxWords) / 2,
    gain: b.meanGain,
    text: `${signed(b.meanGain)} (n=${b.n})`,
  }));
  const rho = fmtCorrelation(c.lengthAnalysis.spearman);
  const vs = `${label(c.system)} over ${label(c.baseline)}`;
  const heading = `${d.displayName}: ${metric} gain of ${vs} by query length`;
  const rhoText = `(Spearman ρ = ${rho})`;
  const title = `${heading} ${rhoText}`;
  const alt =
    `Scatter plot of ${points.length} queries: x = query length in words, y = ${metric} of ${label(c.system)} minus ${label(c.baseline)}. ` +
    `Mean gain by length quartile: ${c.lengthAnalysis.buckets.map((b) => `${b.label} ${signed(b.meanGain)} (n=${b.n})`).join('; ')}. ` +
    `Spearman correlation of length and gain ${rho}.`;
  // Every layer shares the axes: one title each, not the layers' field names run together.
  const lengths = points.map((p) => p.words);
  const domain = [Math.min(...lengths) - 0.5, Math.max(...lengths) + 0.5];
  const x = { type: 'quantitative', title: 'query length (words)', scale: { domain, nice: false }, axis: { tickMinStep: 1, format: 'd' } } as const;
  const y = { type: 'quantitative', title: `${metric} gain per query` } as const;
  return {
    file: `gain-${d.name}-${c.system}-vs-${c.baseline}.svg`,
    dataset: d.name,
    title,
    alt,
    spec: (colors) => ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: wrapTitle(heading, rhoText), subtitle: `Dots: queries (jittered ±${JITTER} words). Bars: mean gain per length quartile, labelled with the number of queries.` },
      width: 680,
      height: 260,
      layer: [
        { data: { values: [{ y: 0 }] }, mark: { type: 'rule', strokeDash: [4, 3], opacity: 0.7 }, encoding: { y: { ...y, field: 'y' }, color: { value: colors.text } } },
        {
          data: { values: buckets },
          mark: { type: 'rule', strokeWidth: 4, opacity: 0.85 },
          encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y: { ...y, field: 'gain' }, color: { value: colors.accent } },
        },
        {
          data: { values: points },
          mark: { type: 'circle', size: 30, opacity: 0.55 },
          encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'gain' }, color: { value: colors.points } },
        },
        ...[true, false].map((above) => ({
          data: { values: buckets.filter((b) => b.above === above) },
          mark: { type: 'text' as const, dy: above ? -10 : 14, fontWeight: 'bold' as const },
          encoding: { x: { ...x, field: 'mid' }, y: { ...y, field: 'gain' }, text: { field: 'text' }, color: { value: colors.accent } },
        })),
      ],
    }),
  };
}

function overlapChart(model: ReportModel): ChartSpec | null {
  const label = labelOf(model);
  const primary = model.metrics[0];
  const metric = displayName(primary);
  const rows = model.datasets.flatMap((d) =>
    d.cells.flatMap((c) => {
      const a = c.results.approximation;
      if (!a) return [];
      const name = `${d.displayName} · ${label(c.column)}`;
      return [{ name, overlap: a.meanOverlap, text: fmtPercent(a.meanOverlap), hnsw: c.results.mean[primary], exact: a.exactMean[primary] }];
    }),
  );
  if (rows.length === 0) return null;
  const names = rows.map((r) => r.name);
  // An engine-fused hybrid's reference is the same fusion in process (its engine's exact twin): say so when one is drawn.
  const fusing = model.columns.flatMap((c) => {
    if (c.system.kind !== 'hybrid' || !model.datasets.some((d) => d.cells.some((x) => x.column === c.id && x.results.approximation))) return [];
    const d = engineOf(c.system.engine);
    return d.exactTwin ? [`${d.words} vs ${engineOf(d.exactTwin).words}`] : [];
  });
  const hybrids = [...new Set(fusing)].join(', ');
  const title = `HNSW vs exact search${hybrids ? ` (hybrids: ${hybrids})` : ''}: top-${model.k} overlap and ${metric}`;
  const alt =
    `Two panels comparing approximate (HNSW) search with exact search on the same vectors. ` +
    rows.map((r) => `${r.name}: overlap ${r.text}, ${metric} HNSW ${fmtScore(r.hnsw)} vs exact ${fmtScore(r.exact)}`).join('; ') +
    '.';
  const y = { field: 'name', type: 'nominal', sort: names, title: null } as const;
  const means = rows.flatMap((r) => [
    { name: r.name, search: 'HNSW', value: r.hnsw },
    { name: r.name, search: 'exact', value: r.exact },
  ]);
  return {
    file: 'hnsw-overlap.svg',
    dataset: null,
    title,
    alt,
    spec: (colors) => ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: wrapTitle(title), subtitle: `Overlap: share of the top ${model.k} hits both searches return, averaged over queries.` },
      hconcat: [
        {
          width: 260,
          height: { step: 28 },
          data: { values: rows },
          encoding: { y },
          layer: [
            { mark: { type: 'bar' }, encoding: { x: { field: 'overlap', type: 'quantitative', title: `top-${model.k} overlap`, scale: { domain: [0, 1] }, axis: { format: '.0%' } } } },
            { mark: { type: 'text', align: 'right', dx: -4 }, encoding: { x: { field: 'overlap', type: 'quantitative' }, text: { field: 'text' }, color: { value: colors.background } } },
          ],
        },
        {
          width: 260,
          height: { step: 28 },
          data: { values: means },
          encoding: { y },
          layer: [
            { mark: { type: 'line', strokeWidth: 1 }, encoding: { x: { field: 'value', type: 'quantitative' }, detail: { field: 'name' }, color: { value: colors.text } } },
            {
              mark: { type: 'point', filled: true, size: 70 },
              encoding: {
                x: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
                shape: { field: 'search', type: 'nominal', title: null, legend: { orient: 'bottom' } },
                color: { field: 'search', type: 'nominal', title: null },
              },
            },
          ],
        },
      ],
    }),
  };
}

function sweepChart(model: ReportModel, d: ReportDataset, sweep: FusionSweep): ChartSpec {
  const label = labelOf(model);
  const primary = model.metrics[0];
  const metric = displayName(primary);
  const series = (split: string, n: number, points: FusionSweep['points']) =>
    points.map((p) => ({ weight: p.weight, mean: p.mean[primary], series: `${split} (${n} queries)` }));
  const values = [...series(d.split, d.queries, sweep.points), ...(sweep.tuned ? series(sweep.tuned.split, sweep.tuned.queries, sweep.tuned.points) : [])];
  const title = `${d.displayName}: ${label(sweep.system)}, ${metric} by fusion weight`;
  const tuned = sweep.tuned ? ` The weight picked on ${sweep.tuned.split} is ${formatFixed(sweep.tuned.weight, 2)}.` : '';
  const alt =
    `Line chart. ${title} (${weightMeaning(model, sweep.system)}). ` +
    values.map((v) => `${v.series} w ${formatFixed(v.weight, 2)}: ${fmtScore(v.mean)}`).join('; ') +
    `.${tuned}`;
  const rule = sweep.tuned ? [{ mark: { type: 'rule', strokeDash: [4, 3] }, data: { values: [{ weight: sweep.tuned.weight }] }, encoding: { x: { field: 'weight', type: 'quantitative' } } }] : [];
  return {
    file: `fusion-weights-${d.name}-${sweep.system}.svg`,
    dataset: d.name,
    title,
    alt,
    spec: (colors) => ({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: wrapTitle(title),
        subtitle: wrapTitle(
          `${weightMeaning(model, sweep.system)}. The best test point is optimistic (picked on the queries it is scored on)${sweep.tuned ? `; dashed: the weight tuned on ${sweep.tuned.split}` : ''}.`,
        ),
      },
      width: 440,
      height: 220,
      layer: [
        {
          data: { values },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'weight', type: 'quantitative', title: 'weight of the first component', scale: { domain: [0, 1] } },
            y: { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } },
            color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
          },
        },
        ...rule.map((r) => ({ ...r, mark: { ...r.mark, color: colors.text } })),
      ],
    }) as TopLevelSpec,
  };
}

/** Every chart of the report, in reading order: per dataset scores then gains, then the overlap across datasets. */
export function reportCharts(model: ReportModel): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const d of model.datasets) {
    charts.push(scoresChart(model, d));
    if (d.queryWords) {
      for (const c of d.comparisons) charts.push(gainChart(model, d, c, d.queryWords, model.runs[c.run - 1].results.config.seed));
    }
    for (const s of d.fusionSweeps) charts.push(sweepChart(model, d, s));
  }
  const overlap = overlapChart(model);
  if (overlap) charts.push(overlap);
  return charts;
}

/**
 * `regress history FILE`: the trend of each metric over the runs of a history file, as a terminal table or as
 * an SVG chart (Vega-Lite, rendered headless by Vega: one panel per condition, each metric a line, its
 * band (the margin of an approximate condition, none for a deterministic one) around the expected value shaded, each run's verdict as the point's shape).
 */
import Table from 'cli-table3';
import type { TopLevelSpec } from 'vega-lite';
import { displayName, type MetricName } from '../eval/metrics.js';
import { fmtScore } from '../report/numbers.js';
import { renderSvg } from '../report/vega-svg.js';
import type { HistoryRecord } from './history.js';
import { VERDICTS } from './verdict.js';

export interface HistoryFilter {
  /** Keep these metrics (canonical names); all when empty. */
  metrics: MetricName[];
  /** Keep conditions whose name contains this text. */
  condition?: string;
}

interface Point {
  time: string;
  condition: string;
  metric: string;
  got: number;
  low: number;
  high: number;
  verdict: string;
}

/** One point per record x metric, after the filter. */
export function historyPoints(records: readonly HistoryRecord[], filter: HistoryFilter): Point[] {
  const several = new Set(records.map((r) => r.matrix)).size > 1;
  return records
    .filter((r) => filter.condition === undefined || r.condition.includes(filter.condition))
    .flatMap((r) =>
      Object.entries(r.metrics)
        .filter(([m]) => filter.metrics.length === 0 || filter.metrics.includes(m))
        .map(([m, v]) => ({
          time: r.time,
          condition: several ? `${r.matrix}: ${r.condition}` : r.condition,
          metric: displayName(m),
          got: v.got,
          low: v.expected - v.margin,
          high: v.expected + v.margin,
          verdict: v.verdict,
        })),
    );
}

export function historyChartSpec(points: readonly Point[], title: string): TopLevelSpec {
  const x = { field: 'time', type: 'temporal', title: null } as const;
  const color = { field: 'metric', type: 'nominal', title: 'Metric' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: [...points] },
    facet: { field: 'condition', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 260,
      height: 150,
      layer: [
        {
          // The band: expected ± margin (0 for deterministic conditions), a step at each --update.
          mark: { type: 'area', opacity: 0.18, interpolate: 'step-after' },
          encoding: { x, y: { field: 'low', type: 'quantitative', title: 'value', scale: { zero: false } }, y2: { field: 'high' }, color },
        },
        { mark: { type: 'line' }, encoding: { x, y: { field: 'got', type: 'quantitative' }, color } },
        {
          mark: { type: 'point', filled: true, size: 45 },
          encoding: {
            x,
            y: { field: 'got', type: 'quantitative' },
            color,
            shape: { field: 'verdict', type: 'nominal', title: 'Verdict', scale: { domain: [...VERDICTS], range: ['circle', 'diamond', 'cross', 'square'] } },
            tooltip: [{ field: 'time', type: 'temporal', timeUnit: 'yearmonthdatehoursminutes' }, { field: 'metric' }, { field: 'got', format: '.4f' }, { field: 'verdict' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** The chart as a standalone SVG (the report's renderer: Vega headless, light theme), with a text alternative. */
export function historyChartSvg(points: readonly Point[], title: string): Promise<string> {
  const conditions = new Set(points.map((p) => p.condition)).size;
  const runs = new Set(points.map((p) => p.time)).size;
  const alt = `Line charts, one per condition (${conditions}), of each metric's value over ${runs} runs with its band (the margin of approximate conditions) around the expected value; point shapes show the verdicts.`;
  return renderSvg({ spec: () => historyChartSpec(points, title), alt }, 'light');
}

/** Per condition x metric: runs, the last value and verdict, the range seen. */
export function historyTable(points: readonly Point[]): string {
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const key = `${p.condition}\u0000${p.metric}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const table = new Table({ head: ['Condition', 'Metric', 'Runs', 'First', 'Last', 'Last value', 'Min', 'Max', 'Last verdict'], style: { head: [], border: [] } });
  for (const ps of groups.values()) {
    const sorted = [...ps].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    const last = sorted[sorted.length - 1];
    const values = sorted.map((p) => p.got);
    table.push([
      last.condition,
      last.metric,
      String(sorted.length),
      sorted[0].time.slice(0, 16).replace('T', ' '),
      last.time.slice(0, 16).replace('T', ' '),
      fmtScore(last.got),
      fmtScore(Math.min(...values)),
      fmtScore(Math.max(...values)),
      last.verdict,
    ]);
  }
  return table.toString();
}

/**
 * Vega-Lite spec -> SVG text, headless: vega-lite compiles the spec to Vega, Vega renders it with its
 * string SVG renderer (no browser, no canvas). Two themes, so an HTML page can follow the reader's
 * light/dark preference; standalone .svg files use the light one (white background, readable anywhere).
 * Vega is imported on first use: most commands never draw a chart.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { ChartColors, ChartSpec } from './charts.js';

export type ThemeName = 'light' | 'dark';

interface Theme extends ChartColors {
  muted: string;
  grid: string;
  /** Categorical colours: Okabe-Ito (colour-blind safe); the dark list swaps in lighter blues and white. */
  palette: string[];
}

/** The page's CSS uses the same background and text colours (html-page.ts). */
export const THEMES: Record<ThemeName, Theme> = {
  light: {
    background: '#ffffff',
    text: '#1f2328',
    muted: '#59636e',
    grid: '#d8dee4',
    accent: '#d55e00',
    points: '#0072b2',
    palette: ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'],
  },
  dark: {
    background: '#0d1117',
    text: '#e6edf3',
    muted: '#9198a1',
    grid: '#30363d',
    accent: '#ff9e4a',
    points: '#56b4e9',
    palette: ['#56b4e9', '#e69f00', '#009e73', '#cc79a7', '#0072b2', '#d55e00', '#f0e442', '#ffffff'],
  },
};

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

function config(t: Theme): Config {
  const axis = { labelColor: t.text, titleColor: t.text, domainColor: t.muted, tickColor: t.muted, gridColor: t.grid, labelFontSize: 11, titleFontSize: 12 };
  return {
    background: t.background,
    font: FONT,
    padding: 8,
    view: { stroke: null },
    title: { color: t.text, subtitleColor: t.muted, fontSize: 14, subtitleFontSize: 11, anchor: 'start', offset: 10 },
    axis,
    legend: { labelColor: t.text, titleColor: t.text, labelFontSize: 11 },
    range: { category: t.palette },
    mark: { color: t.palette[0] },
    text: { color: t.text },
  };
}

/**
 * Render one chart. The alt text goes on the chart's root group (role img + aria-label), through Vega's own
 * accessibility properties, so a standalone SVG carries its description too.
 */
export async function renderSvg(chart: Pick<ChartSpec, 'spec' | 'alt'>, theme: ThemeName): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const t = THEMES[theme];
  const spec: TopLevelSpec = { ...chart.spec(t), config: config(t) };
  const compiled = vegaLite.compile(spec).spec;
  compiled.encode = {
    ...compiled.encode,
    enter: { ...compiled.encode?.enter, ariaRole: { value: 'img' }, ariaRoleDescription: { value: 'chart' }, description: { value: chart.alt } },
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The deployment audit in reports (src/audit/, docs/AUDIT.md): one note line per audited system for every
 * format (the terminal shows only the notes), and a section with the cosine quantiles for markdown and HTML.
 */
import { auditVerdict, type DeploymentAudit } from '../audit/audit-result.js';
import type { Quantiles } from '../audit/vector-stats.js';
import { displayName } from '../eval/metrics.js';
import { formatFixed } from '../eval/format.js';
import type { ReportDataset, ReportModel } from './combine.js';
import { fmtPercent, fmtScore, signed } from './numbers.js';

export interface AuditEntry {
  dataset: ReportDataset;
  label: string;
  audit: DeploymentAudit;
}

/** Every audited system of the report, dataset by dataset. */
export function auditEntries(model: ReportModel): AuditEntry[] {
  const label = new Map(model.columns.map((c) => [c.id, c.label]));
  return model.datasets.flatMap((dataset) =>
    dataset.cells.flatMap((c) => (c.results.audit ? [{ dataset, label: label.get(c.column) ?? c.column, audit: c.results.audit }] : [])),
  );
}

/** Cosines need five decimals: the threshold is 0.9999 and int8 weights sit near 0.997. */
const cos = (v: number) => formatFixed(v, 5);

/** `NDCG@10 server 0.6412 vs client 0.6590 (Δ -0.0178), top-10 overlap 81.2%`, or '' without runs. */
export function auditRuns(a: DeploymentAudit, k: number): string {
  const r = a.runs;
  if (!r) return '';
  return `${displayName(r.metric)} server-embedded ${fmtScore(r.server)} vs client-embedded ${fmtScore(r.client)} (Δ ${signed(r.delta)}), top-${k} overlap ${fmtPercent(r.overlap)}`;
}

/** One note line per audited system, under its dataset. */
export function auditNotes(model: ReportModel, dataset: ReportDataset): string[] {
  return auditEntries(model)
    .filter((e) => e.dataset === dataset)
    .map(({ label, audit: a }) => {
      const cosines = `Cosine to the reference min/median: passages ${cos(a.cosine.passages.min)}/${cos(a.cosine.passages.median)}, queries ${cos(a.cosine.queries.min)}/${cos(a.cosine.queries.median)}`;
      const runs = auditRuns(a, model.k);
      return `  Deployment audit of ${label}: ${auditVerdict(a)}. ${cosines}${runs ? `; ${runs}` : ''}.`;
    });
}

const QUANTILE_COLUMNS: [string, keyof Quantiles][] = [
  ['min', 'min'],
  ['p05', 'p05'],
  ['median', 'median'],
  ['p95', 'p95'],
  ['max', 'max'],
];

/** Rows of the quantile table of one audit: cosine and norm per side. */
function quantileRows(a: DeploymentAudit): string[][] {
  return (['passages', 'queries'] as const).flatMap((side) => [
    [`${side} (${a.cosine[side].n})`, 'cosine', ...QUANTILE_COLUMNS.map(([, k]) => cos(a.cosine[side][k]))],
    ['', 'norm', ...QUANTILE_COLUMNS.map(([, k]) => formatFixed(a.norm[side][k], 4))],
  ]);
}

const HEAD = ['side (texts)', 'server vs reference', ...QUANTILE_COLUMNS.map(([t]) => t)];

function describeReference(a: DeploymentAudit): string {
  const p = a.reference.prefixes;
  return `reference: ${a.reference.model} ${a.reference.dtype}, local encoder, queries prefixed ${JSON.stringify(p.query)}, passages ${JSON.stringify(p.passage)}; ${a.sample.passages} passages sampled (seed ${a.sample.seed}), ${a.sample.queries} queries`;
}

/** One audited system as a report section: renderers (markdown, HTML) only lay it out. */
export interface AuditSection {
  title: string;
  verdict: string;
  /** The run comparison sentence, or ''. */
  runs: string;
  /** Quantile table; the first two columns are text, the rest numbers. */
  head: string[];
  rows: string[][];
  /** What the server was compared with. */
  reference: string;
}

export function auditSections(model: ReportModel): AuditSection[] {
  return auditEntries(model).map(({ dataset, label, audit: a }) => ({
    title: `${label} on ${dataset.displayName}`,
    verdict: auditVerdict(a),
    runs: auditRuns(a, model.k),
    head: HEAD,
    rows: quantileRows(a),
    reference: describeReference(a),
  }));
}

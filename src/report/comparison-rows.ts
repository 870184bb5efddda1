/** The article's table and its notes, as data built from a report model; renderers only lay them out. */
import { formatFixed } from '../eval/format.js';
import { engineOf } from '../engines/registry.js';
import type { MetricComparison } from '../eval/compare.js';
import { displayName } from '../eval/metrics.js';
import { gateNotice } from '../eval/gate-record.js';
import type { ReportComparison, ReportDataset, ReportModel } from './combine.js';
import { isDrift, type PublishedCheck } from './published-column.js';
import { auditNotes } from './audit-section.js';
import { sweepNotes } from './fusion-notes.js';
import { fmtChange, fmtCi, fmtCorrelation, fmtP, fmtPercent, fmtScore, pClause, signed } from './numbers.js';

/** Optional statistics beside each change column: 95% CI of the difference, Holm p, wins/ties/losses. */
export type ExtraColumn = 'ci' | 'p' | 'wtl';
export const EXTRA_COLUMNS: readonly ExtraColumn[] = ['ci', 'p', 'wtl'];
export const DEFAULT_EXTRA_COLUMNS: readonly ExtraColumn[] = ['ci', 'p'];

/**
 * A formatted value. `cautions` (comparison flags) make renderers mark it with †, `drift` (a published score the
 * measured one is too far from) with ‡; the notes explain both.
 */
export interface Cell {
  text: string;
  cautions?: string[];
  drift?: string;
}

/** The marks a cell carries, in the order renderers print them. */
export function cellMarks(c: Cell): string[] {
  return [...(c.cautions?.length ? ['†'] : []), ...(c.drift ? ['‡'] : [])];
}

/** What a cell's marks point to, in words (CSV's Cautions column, HTML's tooltip). */
export const cellReasons = (c: Cell): string[] => [...(c.cautions ?? []), ...(c.drift ? [c.drift] : [])];

export interface TableColumn {
  /** The title where a table has one header row (markdown, CSV, terminal). */
  title: string;
  /** Comparison columns: their pair (`Asymmetric vs Symmetric`) and their own name under it, for two-row headers (HTML). */
  group?: { name: string; sub: string };
  /** Numbers: renderers right-align them. */
  numeric: boolean;
}

export interface ReportTable {
  /** Every column, Dataset and Bias included. */
  columns: TableColumn[];
  /** Rows grouped by dataset; each row's cells start at the Metric column (dataset and bias span the group). */
  groups: { dataset: string; bias: string; rows: Cell[][] }[];
  /** What the columns and marks mean, for under the table. */
  legend: string;
}

/** What a cell holds when its system did not run on that dataset. */
export const NOT_RUN = '–';
/** What a statistics cell holds for an imported table's comparison: there are no per-query scores to test. */
export const MEANS_ONLY = 'n/a';

/** Column id -> label. */
export function labelOf(model: ReportModel): (column: string) => string {
  const byId = new Map(model.columns.map((c) => [c.id, c.label]));
  return (id) => byId.get(id) ?? id;
}

/** The distinct (baseline, system) pairs compared anywhere in the report, in order of appearance. */
export function comparedPairs(model: ReportModel): { baseline: string; system: string }[] {
  const seen = new Map<string, { baseline: string; system: string }>();
  for (const c of model.datasets.flatMap((d) => [...d.comparisons, ...d.meansComparisons])) seen.set(`${c.baseline}\u0000${c.system}`, { baseline: c.baseline, system: c.system });
  return [...seen.values()];
}

const EXTRA_TITLES: Record<ExtraColumn, string> = { ci: '95% CI of Δ', p: 'p (Holm)', wtl: 'W/T/L' };

function extraCell(kind: ExtraColumn, mc: MetricComparison): string {
  if (kind === 'ci') return fmtCi(mc.ci95);
  if (kind === 'p') return fmtP(mc.pHolm ?? mc.pValue);
  return `${mc.wins}/${mc.ties}/${mc.losses}`;
}

/** Columns with a published score on some dataset: each gets a Published column beside it. */
function publishedColumns(model: ReportModel): Set<string> {
  return new Set(model.datasets.flatMap((d) => d.cells.filter((c) => c.published.length > 0).map((c) => c.column)));
}

/** The published score and the measured minus it, flagged when further apart than the tolerance allows. */
function publishedCell(label: string, datasetName: string, check: PublishedCheck | undefined): Cell {
  if (!check) return { text: '' };
  const text = `${fmtScore(check.published)} (${signed(check.diff)})`;
  return isDrift(check) ? { text, drift: driftReason(label, datasetName, check) } : { text };
}

function driftReason(label: string, datasetName: string, c: PublishedCheck): string {
  const scores = `${label} on ${datasetName}: ${displayName(c.metric)} ${fmtScore(c.measured)} vs published ${fmtScore(c.published)} (${c.source.title}, ${c.source.url})`;
  const settings = c.protocolDifferences.length ? `its declared settings are not the published protocol (${c.protocolDifferences.join('; ')})` : '';
  const distance = c.within
    ? `Δ ${signed(c.diff)} is within the tolerance ±${formatFixed(c.allowed, 4)}`
    : `Δ ${signed(c.diff)} is beyond the tolerance ±${formatFixed(c.allowed, 4)}` +
      (settings
        ? ''
        : c.slice
          ? `: this run is a slice (${c.slice}), not the full test set the score was published on`
          : ': this setup departs from the published one (weights, tokenizer, truncation, engine or deployment) or from the data it was published on');
  return `${scores}, ${[settings, distance].filter(Boolean).join('; ')}`;
}

export function buildReportTable(model: ReportModel, extras: readonly ExtraColumn[] = DEFAULT_EXTRA_COLUMNS): ReportTable {
  const label = labelOf(model);
  const pairs = comparedPairs(model);
  const withPublished = publishedColumns(model);
  const columns: TableColumn[] = [...['Dataset', 'Bias', 'Metric'].map((title) => ({ title, numeric: false }))];
  for (const c of model.columns) {
    if (!withPublished.has(c.id)) {
      columns.push({ title: c.label, numeric: true });
      continue;
    }
    const sub = withPublished.size === 1 ? 'Published' : `Published, ${c.label}`;
    columns.push({ title: c.label, group: { name: c.label, sub: 'Measured' }, numeric: true }, { title: sub, group: { name: c.label, sub: 'Published' }, numeric: true });
  }
  for (const p of pairs) {
    const name = `${label(p.system)} vs ${label(p.baseline)}`;
    columns.push({ title: name, group: { name, sub: 'Change' }, numeric: true });
    for (const x of extras) {
      const sub = EXTRA_TITLES[x];
      columns.push({ title: pairs.length === 1 ? sub : `${sub}, ${name}`, group: { name, sub }, numeric: x !== 'ci' });
    }
  }
  const groups = model.datasets.map((d) => ({
    dataset: d.displayName,
    bias: d.stats.bias ?? 'n/a',
    rows: model.metrics.map((m): Cell[] => {
      const row: Cell[] = [{ text: displayName(m) }];
      for (const col of model.columns) {
        const cell = d.cells.find((c) => c.column === col.id);
        // An imported table's means keep the digits it printed: 0.342, not 0.3420.
        const decimals = cell && model.runs[cell.run - 1].results.imported?.decimals;
        row.push({ text: cell ? (decimals === undefined ? fmtScore(cell.results.mean[m]) : formatFixed(cell.results.mean[m], decimals)) : NOT_RUN });
        if (withPublished.has(col.id)) row.push(cell ? publishedCell(col.label, d.displayName, cell.published.find((p) => p.metric === m)) : { text: NOT_RUN });
      }
      for (const p of pairs) {
        const mc = d.comparisons.find((c) => c.baseline === p.baseline && c.system === p.system)?.metrics.find((x) => x.metric === m);
        const means = d.meansComparisons.find((c) => c.baseline === p.baseline && c.system === p.system)?.metrics.find((x) => x.metric === m);
        if (means) {
          row.push({ text: fmtChange(means.relativeChange) }, ...extras.map(() => ({ text: MEANS_ONLY })));
          continue;
        }
        if (!mc) {
          row.push(...[{ text: NOT_RUN }, ...extras.map(() => ({ text: NOT_RUN }))]);
          continue;
        }
        row.push({ text: fmtChange(mc.relativeChange), ...(mc.flags.length ? { cautions: mc.flags } : {}) });
        for (const x of extras) row.push({ text: extraCell(x, mc) });
      }
      return row;
    }),
  }));
  return { columns, groups, legend: tableLegend(model, extras, groups, withPublished.size > 0) };
}

const LEGEND: Record<ExtraColumn, string> = {
  ci: '95% CI of Δ = paired bootstrap interval of the mean difference',
  p: 'p = paired two-sided randomization test, Holm-adjusted across every comparison, metric and dataset of this report',
  wtl: 'W/T/L = queries won, tied, lost',
};

function tableLegend(model: ReportModel, extras: readonly ExtraColumn[], groups: ReportTable['groups'], published: boolean): string {
  const cells = groups.flatMap((g) => g.rows.flat());
  const parts = [
    'X vs Y = relative change of the mean of X against Y',
    ...extras.map((x) => LEGEND[x]),
    ...(published ? ["Published = the score published for the protocol the system follows (source in the notes), in brackets measured minus published"] : []),
    ...(model.runs.length > 1 ? ["each comparison is the one its own run made (against that run's first system, or the pairs it named)"] : []),
    ...(cells.some((c) => c.text === NOT_RUN) ? [`${NOT_RUN} = not run on that dataset`] : []),
    ...(model.runs.some((r) => r.results.imported) && extras.length ? [`${MEANS_ONLY} = an imported table's comparison: means only, no interval or test`] : []),
    ...(cells.some((c) => c.cautions?.length) ? ['† = see notes'] : []),
    ...(cells.some((c) => c.drift) ? ['‡ = further from the published score than the tolerance, or declared settings that are not the published protocol (see notes)'] : []),
  ];
  return `${parts.join('; ')}.`;
}

function comparisonNotes(model: ReportModel, c: ReportComparison): string[] {
  const label = labelOf(model);
  const primary = model.metrics[0];
  const mc = c.metrics.find((x) => x.metric === primary)!;
  const notes = [
    `  ${label(c.system)} vs ${label(c.baseline)}: ${displayName(primary)} ${fmtChange(mc.relativeChange)} ` +
      `(Δ ${signed(mc.meanDiff)}, 95% CI ${fmtCi(mc.ci95)}, ${pClause(mc.pValue)}, ${pClause(mc.pHolm, 'Holm p')}; ` +
      `wins/ties/losses ${mc.wins}/${mc.ties}/${mc.losses} over ${mc.n} queries).`,
  ];
  // One line per caution, naming every metric it applies to.
  const flagged = new Map<string, string[]>();
  for (const m of c.metrics) for (const f of m.flags) flagged.set(f, [...(flagged.get(f) ?? []), displayName(m.metric)]);
  for (const [f, metrics] of flagged) notes.push(`  † ${metrics.join(', ')}: ${f}`);
  const la = c.lengthAnalysis;
  const buckets = la.buckets.map((b) => `${b.label}: ${signed(b.meanGain)} (n=${b.n})`).join('; ');
  notes.push(
    `  ${displayName(primary)} gain by query length (words) — ${buckets}; Spearman ρ(length, gain) = ${fmtCorrelation(la.spearman)}.`,
  );
  return notes;
}

/** A folder of the user's: where it is, and that nothing of the registry's is set beside it. */
function sourceNotes(d: ReportDataset): string[] {
  const s = d.source;
  if (!s || s.registry) return [];
  return [
    s.mismatch
      ? `  ${s.mismatch}.`
      : `  ${d.displayName} is a BEIR folder of your own (--dataset ${s.given}): no registry facts (md5, published scores, the article's figures) apply to it.`,
  ];
}

function datasetNotes(model: ReportModel, d: ReportDataset): string[] {
  const label = labelOf(model);
  const primary = model.metrics[0];
  const s = d.stats;
  const prior = s.bias
    ? `expected bias ${s.bias} (length ratio r = ${s.lengthRatio === null ? 'n/a' : formatFixed(s.lengthRatio, 1)}, question share q = ${formatFixed(s.questionShare, 2)}${s.passagesSource === 'registry' ? ', passage length from the registry' : ''})`
    : `expected bias unavailable${s.unavailableReason ? ` (${s.unavailableReason})` : ''}`;
  const notes = [`${d.displayName}: ${prior}.`, ...sourceNotes(d)];
  const absent = model.columns.filter((c) => !d.cells.some((x) => x.column === c.id));
  if (absent.length) {
    notes.push(`  Not measured on ${d.displayName}: ${absent.map((c) => c.label).join(', ')}${s.unavailableReason ? ` (${s.unavailableReason})` : ' (their runs did not include it)'}.`);
  }
  for (const c of d.comparisons) notes.push(...comparisonNotes(model, c));
  for (const c of d.meansComparisons) {
    const mc = c.metrics[0];
    notes.push(
      `  ${label(c.system)} vs ${label(c.baseline)}: ${displayName(mc.metric)} ${fmtChange(mc.relativeChange)} (Δ ${signed(mc.meanDiff)}), ` +
        `from the means of an imported table: no interval, test or per-query analysis is possible.`,
    );
  }
  for (const cell of d.cells) {
    const a = cell.results.approximation;
    if (!a) continue;
    const exact = a.exactMean[primary];
    // An engine-fused hybrid is measured against the same fusion computed in process (its engine's exact twin).
    const system = model.columns.find((c) => c.id === cell.column)?.system;
    const fusedBy = system?.kind === 'hybrid' ? engineOf(system.engine) : undefined;
    const [what, approx, ref] = fusedBy?.exactTwin
      ? [`${fusedBy.words} top-${model.k} overlap with the ${engineOf(fusedBy.exactTwin).words}`, fusedBy.words, engineOf(fusedBy.exactTwin).words]
      : [`HNSW top-${model.k} overlap with exact search`, 'approximate', 'exact'];
    notes.push(
      `  ${label(cell.column)}: ${what} ${fmtPercent(a.meanOverlap)}; ` +
        `${displayName(primary)} ${approx} ${fmtScore(cell.results.mean[primary])} vs ${ref} ${fmtScore(exact)} (Δ ${signed(cell.results.mean[primary] - exact)}).`,
    );
  }
  notes.push(...publishedNotes(model, d));
  notes.push(...sweepNotes(model, d));
  notes.push(...auditNotes(model, d));
  const missing = d.qrelsDocsMissingFromCorpus;
  if (missing.rows > 0) notes.push(`  ${missing.rows} qrels rows name ${missing.docIds} doc ids absent from the corpus (e.g. ${missing.examples.slice(0, 3).join(', ')}).`);
  notes.push(...invariantNotes(model, d));
  return notes;
}

/**
 * Broken sanity invariants (docs/METRICS.md). A run's mean the rule is spelled out for; a run's per-query ones are
 * counted (results.json lists them); either is a bug upstream. An imported table's printed means that break one
 * cannot all be what was measured.
 */
function invariantNotes(model: ReportModel, d: ReportDataset): string[] {
  const label = labelOf(model);
  const imported = (column: string) => d.cells.some((c) => c.column === column && model.runs[c.run - 1].results.imported);
  const perQuery = d.invariantViolations.filter((v) => v.queryId !== 'all');
  return [
    ...d.invariantViolations
      .filter((v) => v.queryId === 'all')
      .map((v) =>
        imported(v.system)
          ? `  !! ${label(v.system)}: the printed means break a sanity invariant, so they cannot all be what was measured: ${v.rule} (${v.detail}).`
          : `  !! ${label(v.system)}: the means break a sanity invariant — a bug upstream: ${v.rule} (${v.detail}).`,
      ),
    ...(perQuery.length ? [`  !! ${perQuery.length} per-query metric invariant violation(s) — a bug upstream; see results.json.`] : []),
  ];
}

/** One line per published score a system was checked against: the two scores, their source, and the verdict. */
function publishedNotes(model: ReportModel, d: ReportDataset): string[] {
  const label = labelOf(model);
  return d.cells.flatMap((cell) =>
    cell.published.map((c) =>
      !isDrift(c)
        ? `  ${label(cell.column)}: ${displayName(c.metric)} ${fmtScore(c.measured)} vs published ${fmtScore(c.published)} (${c.source.title}, ${c.source.url}): ` +
          `Δ ${signed(c.diff)}, within the tolerance ±${formatFixed(c.allowed, 4)}.`
        : `  ‡ ${driftReason(label(cell.column), d.displayName, c)}.`,
    ),
  );
}

/**
 * Lines explaining the table: priors vs measured gains, flags, the length analysis, approximation, violations.
 * A line without indentation heads a dataset; indented lines belong to it.
 */
export function reportNotes(model: ReportModel): string[] {
  const notes = model.datasets.flatMap((d) => datasetNotes(model, d));
  if (model.inputDifferences.length) {
    notes.push('Inputs differ between the combined runs (accepted with --allow-different-inputs):', ...model.inputDifferences.map((x) => `  ${x}.`));
  }
  const uncleared = unclearedEncodings(model);
  if (uncleared.length) notes.push('Encodings the equivalence gate has not cleared (src/eval/gate-record.ts):', ...uncleared.map((x) => `  ${x}.`));
  return notes;
}

/** The gate's warning for each weights file a run encoded with that may not stand in for fp32 (once per file). */
function unclearedEncodings(model: ReportModel): string[] {
  const messages = model.runs.flatMap((r) =>
    r.results.datasets.flatMap((d) => d.systems.flatMap((s) => (s.encoder && s.encoder.kind !== 'remote' ? [gateNotice(s.encoder)] : []))),
  );
  return [...new Set(messages.flatMap((n) => (n?.warn ? [n.message] : [])))];
}

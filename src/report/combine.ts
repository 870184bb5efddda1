/**
 * The report's model: one or more results.json files combined into columns (systems) x datasets. Every report
 * format (table, notes, charts, JSON) renders from this, and a single run is the one-file case.
 *
 * Columns. A system is one column across runs when its id and its whole spec are the same and those runs
 * measured different datasets (a SciFact run and an NFCorpus run of the same systems make one table). Two
 * systems with the same id that differ in spec, or that both measured one dataset (a repeated run), are
 * separate columns whose ids get the prefix `r<N>.` (N = the results file's position among the inputs).
 * Labels that collide are made distinct by what differs (engine, model, dtype), then by `run N`.
 *
 * Comparisons. Each run's own comparisons are kept as that run computed them (against its first system or the pairs
 * its systems file named, from
 * its per-query scores, with its seed), so a combined table shows exactly the p-values and intervals each run
 * reported; only the Holm adjustment is redone, across every comparison of this report (one family of
 * hypotheses, as the report's legend says). For a single run this reproduces the stored Holm p-values.
 *
 * Runs are combined only when their inputs agree: the same k and self-hit rule, and for each dataset they
 * share, the same split, file hashes and numbers of passages and queries. `allowDifferentInputs` lists the
 * differences as notes instead of refusing.
 */
import { engineOf } from '../engines/registry.js';
import { isDeepStrictEqual } from 'node:util';
import type { FusionSweep } from '../bench/fusion-sweep.js';
import type { DatasetStats } from '../datasets/stats.js';
import { UserError } from '../errors.js';
import { bootstrapIntervals, holmAdjust, type MetricComparison } from '../eval/compare.js';
import type { InvariantViolation } from '../eval/invariants.js';
import type { LengthAnalysis } from '../eval/length-analysis.js';
import { Prng } from '../eval/prng.js';
import type { DatasetResults, ResultsFile, SystemResults } from '../results/schema.js';
import { bundledPublishedScores, type PublishedRegistry } from '../references/published-scores.js';
import { againstFirst } from '../systems/comparisons.js';
import { encoderWord, modelShortName, type SystemSpec } from '../systems/system.js';
import { publishedChecks, type PublishedCheck } from './published-column.js';

export interface ReportInput {
  results: ResultsFile;
  /** Where it was read from, for messages (a path, or `results.json` when bench renders its own run). */
  source: string;
}

export interface ReportRun {
  /** 1-based position among the inputs (`run 1`, column id prefix `r1.`). */
  n: number;
  runId: string;
  source: string;
  results: ResultsFile;
}

export interface ReportColumn {
  /** Unique in the report: the system id, or `r<N>.<system id>` when runs disagree on that id. */
  id: string;
  label: string;
  system: SystemSpec;
  /** Runs (ReportRun.n) that supplied this column. */
  runs: number[];
}

/** One system on one dataset. */
export interface ReportCell {
  column: string;
  run: number;
  results: SystemResults;
  /** Percentile bootstrap 95% interval of the mean over queries, per metric; null without scored queries. */
  ci95: Record<string, [number, number]> | null;
  /** The report's metrics against the scores published for this system's protocol (none when it follows none). */
  published: PublishedCheck[];
}

export interface ReportComparison {
  run: number;
  /** Column ids. */
  baseline: string;
  system: string;
  /** The run's comparison of the report's metrics, pHolm adjusted across this report. */
  metrics: MetricComparison[];
  lengthAnalysis: LengthAnalysis;
}

/**
 * A comparison of an imported table (means only): the relative change of each metric's mean, as the table's own
 * "X vs Y" column; no interval, test or per-query analysis is possible without per-query scores.
 */
export interface MeansComparison {
  run: number;
  /** Column ids. */
  baseline: string;
  system: string;
  metrics: { metric: string; meanA: number; meanB: number; meanDiff: number; relativeChange: number | null }[];
}

export interface ReportDataset {
  name: string;
  displayName: string;
  /** Where the data came from; absent in results written before it (a registry dataset). */
  source?: DatasetResults['source'];
  stats: DatasetStats;
  split: string;
  docs: number;
  queries: number;
  queryWords?: Record<string, number>;
  qrelsDocsMissingFromCorpus: DatasetResults['qrelsDocsMissingFromCorpus'];
  /** In column order; a column that did not run on this dataset has no cell. */
  cells: ReportCell[];
  comparisons: ReportComparison[];
  /** Comparisons of imported tables (means only). */
  meansComparisons: MeansComparison[];
  invariantViolations: (InvariantViolation & { system: string })[];
  /** --fusion-weights curves, `system` being a column id. */
  fusionSweeps: FusionSweep[];
}

export interface ReportModel {
  runs: ReportRun[];
  columns: ReportColumn[];
  /** The metrics every run measured, in the first run's order; the first is the primary one. */
  metrics: string[];
  k: number;
  datasets: ReportDataset[];
  /** Differences between the runs' inputs, accepted with allowDifferentInputs (one line each). */
  inputDifferences: string[];
}

export interface CombineOptions {
  /** Combine runs whose inputs differ, listing the differences, instead of refusing. */
  allowDifferentInputs?: boolean;
  /** Published scores to check systems against; default the registry shipped with beir-bench. */
  published?: PublishedRegistry;
}

/** What can tell two same-label columns apart, in the order it is added to their labels. */
const DISTINGUISHERS: ((s: SystemSpec) => string | undefined)[] = [
  (s) => (s.kind === 'dense' ? modelShortName(s.model) : undefined),
  (s) => (s.kind === 'dense' ? encoderWord(s.encoder) : undefined),
  (s) => engineOf(s.engine).words,
];

/** Differences between two runs' inputs that make their numbers incomparable, in words. */
function inputDifferences(a: ReportRun, b: ReportRun): string[] {
  const diffs: string[] = [];
  const ca = a.results.config;
  const cb = b.results.config;
  if (ca.k !== cb.k) diffs.push(`k ${ca.k} vs ${cb.k}`);
  if (ca.ignoreIdenticalIds !== cb.ignoreIdenticalIds) diffs.push(`ignore identical ids ${ca.ignoreIdenticalIds} vs ${cb.ignoreIdenticalIds}`);
  for (const da of a.results.datasets) {
    const db = b.results.datasets.find((d) => d.name === da.name);
    if (!db) continue;
    const what: string[] = [];
    if (da.split !== db.split) what.push(`split ${da.split} vs ${db.split}`);
    if (da.docs !== db.docs) what.push(`${da.docs} vs ${db.docs} passages`);
    if (da.queries !== db.queries) what.push(`${da.queries} vs ${db.queries} queries`);
    // An imported table's files are unknown: its passage and query counts are all there is to check.
    if (a.results.imported || b.results.imported) {
      if (what.length) diffs.push(`${da.displayName} ${what.join(', ')}`);
      continue;
    }
    for (const key of new Set([...Object.keys(da.files), ...Object.keys(db.files)])) {
      // The same records in another line order are the same input; files written before content digests compare bytes.
      const field = da.files[key]?.contentDigest && db.files[key]?.contentDigest ? 'contentDigest' : 'sha256';
      const fa = da.files[key]?.[field];
      const fb = db.files[key]?.[field];
      if (fa !== fb) what.push(`${key} ${field === 'sha256' ? 'sha256' : 'content'} ${fa?.slice(0, 12) ?? 'absent'} vs ${fb?.slice(0, 12) ?? 'absent'}`);
    }
    if (what.length) diffs.push(`${da.displayName} ${what.join(', ')}`);
  }
  return diffs;
}

const sharesDataset = (a: ResultsFile, b: ResultsFile) => a.datasets.some((d) => b.datasets.some((e) => e.name === d.name));

/** Columns in order of first appearance, merged and disambiguated as the module comment says. */
function buildColumns(runs: ReportRun[]): { columns: ReportColumn[]; columnOf: (run: number, systemId: string) => string } {
  const variants = new Map<string, { system: SystemSpec; runs: number[] }[]>();
  const order: { id: string; index: number }[] = [];
  for (const run of runs) {
    for (const s of run.results.systems) {
      const list = variants.get(s.id) ?? [];
      const same = list.findIndex(
        (v) => isDeepStrictEqual(v.system, s) && v.runs.every((n) => !sharesDataset(runs[n - 1].results, run.results)),
      );
      if (same >= 0) {
        list[same].runs.push(run.n);
      } else {
        list.push({ system: s, runs: [run.n] });
        order.push({ id: s.id, index: list.length - 1 });
      }
      variants.set(s.id, list);
    }
  }
  const columns: ReportColumn[] = order.map(({ id, index }) => {
    const list = variants.get(id)!;
    const v = list[index];
    return { id: list.length === 1 ? id : `r${v.runs[0]}.${id}`, label: v.system.label, system: v.system, runs: v.runs };
  });
  disambiguateLabels(columns);
  const columnOf = (run: number, systemId: string) => columns.find((c) => c.system.id === systemId && c.runs.includes(run))!.id;
  return { columns, columnOf };
}

function disambiguateLabels(columns: ReportColumn[]): void {
  const groups = new Map<string, ReportColumn[]>();
  for (const c of columns) groups.set(c.label, [...(groups.get(c.label) ?? []), c]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const parts = group.map(() => [] as string[]);
    for (const describe of DISTINGUISHERS) {
      const values = group.map((c) => describe(c.system));
      if (new Set(values).size > 1) values.forEach((v, i) => v !== undefined && parts[i].push(v));
    }
    const tagged = group.map((c, i) => (parts[i].length ? `${c.label} (${parts[i].join(', ')})` : c.label));
    group.forEach((c, i) => {
      const clash = tagged.filter((t) => t === tagged[i]).length > 1;
      const extra = clash ? [...parts[i], `run ${c.runs.join('+')}`] : parts[i];
      c.label = extra.length ? `${c.label} (${extra.join(', ')})` : c.label;
    });
  }
}

/** 95% percentile bootstrap interval of a system's mean per metric, seeded like the run's own statistics. */
function systemIntervals(s: SystemResults, metrics: string[], run: ResultsFile): Record<string, [number, number]> | null {
  const queries = Object.keys(s.perQuery);
  if (queries.length === 0) return null;
  const series = metrics.map((m) => Float64Array.from(queries, (q) => s.perQuery[q][m]));
  const intervals = bootstrapIntervals(series, run.config.permutations, new Prng(run.config.seed));
  return Object.fromEntries(metrics.map((m, i) => [m, intervals[i]]));
}

/** An imported table's pairs (config.comparisons, else every system against the first) as changes of the means. */
function meansComparisons(run: ReportRun, d: DatasetResults, metrics: string[], columnOf: (run: number, id: string) => string): MeansComparison[] {
  const r = run.results;
  const pairs = r.config.comparisons ?? againstFirst(r.systems);
  const meanOf = (id: string) => d.systems.find((s) => s.system === id)!.mean;
  return pairs.map((p) => ({
    run: run.n,
    baseline: columnOf(run.n, p.baseline),
    system: columnOf(run.n, p.system),
    metrics: metrics.map((metric) => {
      const meanA = meanOf(p.baseline)[metric];
      const meanB = meanOf(p.system)[metric];
      return { metric, meanA, meanB, meanDiff: meanB - meanA, relativeChange: meanA === 0 ? null : (meanB - meanA) / meanA };
    }),
  }));
}

/** Combine results files into one report model (see the module comment); throws a UserError when they cannot be. */
/** `30 queries, 500 passages` when the run was cut by --max-queries / --max-docs; undefined for a full test set. */
function sliceOf(results: ResultsFile, d: DatasetResults): string | undefined {
  const { maxQueries, maxDocs } = results.config;
  return maxQueries === undefined && maxDocs === undefined ? undefined : `${d.queries} queries, ${d.docs} passages`;
}

export function combineResults(inputs: readonly ReportInput[], opts: CombineOptions = {}): ReportModel {
  if (inputs.length === 0) throw new Error('combineResults: no results');
  const runs: ReportRun[] = inputs.map((x, i) => ({ n: i + 1, runId: x.results.runId, source: x.source, results: x.results }));

  const differences: string[] = [];
  for (const b of runs.slice(1)) {
    for (const a of runs.slice(0, b.n - 1)) {
      const diffs = inputDifferences(a, b);
      if (diffs.length === 0) continue;
      if (!opts.allowDifferentInputs) {
        throw new UserError(`cannot combine ${a.source} and ${b.source}: their inputs differ (${diffs.join('; ')}); pass --allow-different-inputs to combine them anyway`);
      }
      differences.push(`run ${a.n} vs run ${b.n}: ${diffs.join('; ')}`);
    }
  }

  const first = runs[0].results.config;
  const metrics = first.metrics.filter((m) => runs.every((r) => r.results.config.metrics.includes(m)));
  if (metrics.length === 0) throw new UserError(`cannot combine ${runs.map((r) => r.source).join(', ')}: they share no metric`);

  const { columns, columnOf } = buildColumns(runs);
  const registry = opts.published ?? bundledPublishedScores();
  const pick = (mean: Record<string, number>) => Object.fromEntries(metrics.map((m) => [m, mean[m]]));
  const names = [...new Set(runs.flatMap((r) => r.results.datasets.map((d) => d.name)))];
  const datasets = names.map((name): ReportDataset => {
    const present = runs.flatMap((r) => {
      const d = r.results.datasets.find((x) => x.name === name);
      return d ? [{ run: r, d }] : [];
    });
    const { d } = present[0];
    const cells = present
      .flatMap(({ run, d: dr }) =>
        dr.systems.map((s) => ({
          column: columnOf(run.n, s.system),
          run: run.n,
          results: s,
          ci95: systemIntervals(s, metrics, run.results),
          // Published scores are the registry dataset's: a folder that is not it (source.registry false) is compared with none.
          published:
            dr.source?.registry === false
              ? []
              : publishedChecks(registry, run.results.systems.find((x) => x.id === s.system)!, name, pick(s.mean), run.results.imported?.decimals, sliceOf(run.results, dr)),
        })),
      )
      .sort((x, y) => columns.findIndex((c) => c.id === x.column) - columns.findIndex((c) => c.id === y.column));
    return {
      name,
      displayName: d.displayName,
      ...(d.source ? { source: d.source } : {}),
      stats: d.stats,
      split: d.split,
      docs: d.docs,
      queries: d.queries,
      ...(d.queryWords ? { queryWords: d.queryWords } : {}),
      qrelsDocsMissingFromCorpus: d.qrelsDocsMissingFromCorpus,
      cells,
      comparisons: present.flatMap(({ run, d: dr }) =>
        dr.comparisons.map((c) => ({
          run: run.n,
          baseline: columnOf(run.n, c.baseline),
          system: columnOf(run.n, c.system),
          metrics: metrics.map((m) => ({ ...c.metrics.find((x) => x.metric === m)! })),
          lengthAnalysis: c.lengthAnalysis,
        })),
      ),
      meansComparisons: present.flatMap(({ run, d: dr }) => (run.results.imported ? meansComparisons(run, dr, metrics, columnOf) : [])),
      invariantViolations: present.flatMap(({ run, d: dr }) => dr.invariantViolations.map((v) => ({ ...v, system: columnOf(run.n, v.system) }))),
      fusionSweeps: present.flatMap(({ run, d: dr }) => (dr.fusionSweeps ?? []).map((s) => ({ ...s, system: columnOf(run.n, s.system) }))),
    };
  });
  holmAdjust(datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics)));
  return { runs, columns, metrics, k: first.k, datasets, inputDifferences: differences };
}

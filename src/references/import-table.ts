/**
 * A published results table (a blog post's, a paper's) as a results.json of its own: means only, as printed.
 * The transcription is YAML (references/opensearch-asymmetric-2026-01.yaml is the seed article's): where it was
 * published, how many decimals it prints, the settings it does not state, its systems (as in a systems file), the
 * pairs it compares, and per dataset the passages and queries it ran and each system's means. Importing checks the
 * means against the sanity invariants (with the rounding of the printed digits) and the local judgments, and
 * measures each dataset's statistics from the local files; `report` then treats the file like any run, with the
 * differences docs/REPORTS.md#imported-tables lists (no intervals or tests: there are no per-query scores).
 */
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { ResolveOptions } from '../datasets/resolve.js';
import { loadSplitQueries } from '../datasets/loaders.js';
import { measureDataset } from '../datasets/measure.js';
import { getDataset } from '../datasets/registry.js';
import { resolveDataset } from '../datasets/source.js';
import { UserError } from '../errors.js';
import { checkMeanInvariants } from '../eval/invariants.js';
import { judgmentsOf } from '../eval/measures.js';
import { parseMetricName, type MetricName } from '../eval/metrics.js';
import { environment } from '../results/build-results.js';
import { SCHEMA_VERSION, type DatasetResults, type ImportedFrom, type ResultsFile } from '../results/schema.js';
import { buildSystems } from '../systems/build.js';
import { againstFirst, comparisonRefs, resolveComparisons, type ComparisonPair } from '../systems/comparisons.js';
import { parseSystemsSection } from '../systems/systems-file.js';
import type { SystemSpec } from '../systems/system.js';
import { parseYamlFile, type Field } from '../yaml-field.js';
import { roundingAllowance } from './published-scores.js';

/** A transcription, parsed and checked for form (not yet against the data). */
export interface ImportedTable {
  from: Omit<ImportedFrom, 'transcription' | 'sha256'>;
  k: number;
  split: string;
  ignoreIdenticalIds: boolean;
  systems: SystemSpec[];
  comparisons: ComparisonPair[];
  /** Metrics in the order the first system of the first dataset lists them. */
  metrics: MetricName[];
  datasets: { name: string; passages: number; queries: number; means: Map<string, Record<MetricName, number>>; where: Field }[];
}

const TOP = ['source', 'decimals', 'k', 'split', 'ignoreIdenticalIds', 'unstated', 'models', 'systems', 'comparisons', 'datasets'] as const;
const SOURCE_FIELDS = ['title', 'url', 'published'] as const;
const DATASET_FIELDS = ['passages', 'queries', 'means'] as const;

/** Parse a transcription (`file` names it in errors); every error names file, line and field. */
export function parseImportedTable(text: string, file: string): ImportedTable {
  const { root } = parseYamlFile(text, file);
  if (!root.present) throw root.error('the file is empty');
  const src = root.required('source', TOP);
  const published = src.optional('published', SOURCE_FIELDS)?.string();
  const from = {
    title: src.required('title', SOURCE_FIELDS).string(),
    url: src.required('url', SOURCE_FIELDS).string(),
    ...(published !== undefined ? { published } : {}),
    decimals: root.required('decimals', TOP, '"decimals" is required: how many decimals the table prints its means with').number(0, 10, 'a whole number of decimals'),
    unstated: root.optional('unstated', TOP)?.items().map((f) => f.string()) ?? [],
  };
  const systems = buildSystems(parseSystemsSection(root, { dtype: 'fp32', backend: 'embedded', cliModels: [] }, TOP));
  const comparisonsField = root.optional('comparisons', TOP);
  const comparisons = comparisonsField ? resolveComparisons(comparisonRefs(comparisonsField), systems) : againstFirst(systems);
  let metrics: MetricName[] | undefined;
  const datasets: ImportedTable['datasets'] = [];
  for (const [name, f] of root.required('datasets', TOP).entries()) {
    try {
      getDataset(name);
    } catch (err) {
      throw err instanceof UserError ? f.error(err.message) : err;
    }
    const meansField = f.required('means', DATASET_FIELDS);
    const means = new Map<string, Record<MetricName, number>>();
    for (const [id, sf] of meansField.entries(systems.map((s) => s.id))) {
      const values: Record<MetricName, number> = {};
      for (const [key, v] of sf.entries()) {
        let m: MetricName;
        try {
          m = parseMetricName(key);
        } catch (err) {
          throw err instanceof UserError ? v.error(err.message) : err;
        }
        values[m] = v.number(0, 1, 'a mean between 0 and 1');
      }
      metrics ??= Object.keys(values);
      const same = metrics.length === Object.keys(values).length && metrics.every((m) => m in values);
      if (!same) throw sf.error(`every system and dataset must give the same metrics as the first (${metrics.join(', ')})`);
      means.set(id, values);
    }
    const missing = systems.filter((s) => !means.has(s.id)).map((s) => s.id);
    if (missing.length) throw meansField.error(`no means for ${missing.join(', ')}`);
    datasets.push({
      name,
      passages: f.required('passages', DATASET_FIELDS).positiveInteger(),
      queries: f.required('queries', DATASET_FIELDS).positiveInteger(),
      means,
      where: f,
    });
  }
  if (!metrics) throw root.error('"datasets" lists no dataset');
  return {
    from,
    k: root.optional('k', TOP)?.positiveInteger() ?? 10,
    split: root.optional('split', TOP)?.string() ?? 'test',
    ignoreIdenticalIds: root.required('ignoreIdenticalIds', TOP, '"ignoreIdenticalIds" is required (true when self hits were removed; list it under "unstated" when the source does not say)').boolean(),
    systems,
    comparisons,
    metrics,
    datasets,
  };
}

export interface ImportOptions extends ResolveOptions {
  /** The transcription's path, recorded in the results. */
  file: string;
  text: string;
  /** Where the results folder goes (its runFolder is `<outDir>/imported-<transcription name>`). */
  outDir: string;
}

/** The run id of an imported table: `imported-<transcription file name without extension>`. */
export const importedRunId = (file: string): string => `imported-${basename(file, extname(file))}`;

/**
 * The transcription as a results.json: each dataset's statistics measured from the local files, its queries
 * checked against the local judgments, and each system's means against the sanity invariants with the
 * printed rounding (a violation is recorded, as for a run, and printed by the report).
 */
export async function importTable(opts: ImportOptions): Promise<ResultsFile> {
  const started = Date.now();
  const t = parseImportedTable(opts.text, opts.file);
  const slack = roundingAllowance(t.from.decimals);
  const datasets: DatasetResults[] = [];
  for (const d of t.datasets) {
    const source = await resolveDataset(d.name, opts);
    const { folder } = source;
    const { queries, qrels } = await loadSplitQueries(folder, t.split);
    if (queries.length !== d.queries) {
      throw d.where.error(`the table ran ${d.queries} ${t.split} queries, the judgments in ${folder} have ${queries.length}: is it the same split of the same dataset?`);
    }
    const singleRelevant = [...qrels.values()].every((q) => judgmentsOf(q).numRelevant === 1);
    // A published table is about the registry dataset: measured against a folder that is not it, it would describe other data.
    const { stats, facts } = await measureDataset(source, t.split);
    if (!facts.registry) throw d.where.error(facts.mismatch ?? `${d.name} is not a registry dataset`);
    datasets.push({
      name: d.name,
      displayName: facts.displayName,
      officialZipMd5: facts.registry.md5,
      source: { given: source.given, origin: source.origin, registry: true },
      folder,
      split: t.split,
      files: {},
      qrelsDocsMissingFromCorpus: { rows: 0, docIds: 0, examples: [] },
      docs: d.passages,
      queries: d.queries,
      stats,
      timings: {},
      systems: t.systems.map((s) => ({
        system: s.id,
        inputs: null,
        encoder: null,
        engine: {},
        timings: {},
        runFile: '',
        mean: d.means.get(s.id)!,
        queriesScored: d.queries,
        qrelsQueriesMissingFromRun: 0,
        runQueriesWithoutQrels: 0,
        selfHitsRemoved: 0,
        perQuery: {},
      })),
      comparisons: [],
      invariantViolations: t.systems.flatMap((s) => checkMeanInvariants(d.means.get(s.id)!, t.k, singleRelevant, slack).map((v) => ({ ...v, system: s.id }))),
    });
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: importedRunId(opts.file),
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    environment: await environment(),
    config: {
      datasets: t.datasets.map((d) => d.name),
      split: t.split,
      comparisons: t.comparisons,
      k: t.k,
      metrics: t.metrics,
      ignoreIdenticalIds: t.ignoreIdenticalIds,
      ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
      datasetCacheDir: opts.cacheDir,
      embeddingCacheDir: null,
      outDir: opts.outDir,
      // No statistics are computed from means.
      seed: 0,
      permutations: 0,
    },
    systems: t.systems,
    passages: { encoded: 0, fromCache: 0 },
    datasets,
    imported: { ...t.from, transcription: opts.file, sha256: createHash('sha256').update(opts.text).digest('hex') },
  };
}

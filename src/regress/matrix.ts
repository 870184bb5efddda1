/**
 * A regression matrix (`regressions/*.yaml`, documented in docs/REGRESSION.md): systems declared as in a
 * `--systems` file, datasets (with split and slices) to run them on, and per condition (dataset x system) the
 * expected value of each metric, its tolerance, its stored baseline run and the recorded inputs.
 * Two layouts are read: the compact one (what --update and `regress convert` write: each dataset's file digests and
 * each system's encoder recorded once, under the top-level `inputs`) and the older one (every entry and condition
 * carrying its own copy). Every error names the file, the line and the field.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { findDataset } from '../datasets/registry.js';
import { parseDatasetSpec, unknownDatasetMessage } from '../datasets/source.js';
import { UserError } from '../errors.js';
import { displayName, headlineMetrics, parseMetricName, type MetricName } from '../eval/metrics.js';
import { buildSystems } from '../systems/build.js';
import { parseSystemsSection } from '../systems/systems-file.js';
import type { SystemSpec } from '../systems/system.js';
import { readYamlFile, parseYamlFile, type Field, type YamlFile } from '../yaml-field.js';
import type { DatasetInputs, Fingerprint, SystemInputs } from './inputs.js';

/** regress scores runs as BEIR does: a query's own doc among its hits is not counted. */
export const IGNORE_IDENTICAL_IDS = true;

/**
 * How far an expected value may be from what its stored baseline run scores (checked before anything runs):
 * by default the rounding of the stored decimals, so the matrix says what the baseline run scores.
 */
export const DEFAULT_TOLERANCE = 1e-4;
/**
 * How far an approximate condition's mean may move (the equivalence margin of its paired bootstrap interval), in
 * every metric unless the matrix says otherwise. Chosen from measured HNSW rebuilds (docs/REGRESSION.md).
 */
export const DEFAULT_MARGIN = 0.01;
/** --update writes expected values with this many decimals (as reports print them)... */
export const STORED_DECIMALS = 4;
/** ...so a smaller tolerance could fail on the rounding alone. */
const MIN_TOLERANCE = 1e-4;

const TOP_FIELDS = ['description', 'metrics', 'tolerance', 'margin', 'models', 'systems', 'inputs', 'datasets'] as const;
const DATASET_FIELDS = ['name', 'dataset', 'split', 'maxQueries', 'maxDocs', 'tags', 'systems', 'tolerance', 'margin', 'stats', 'inputs', 'expected'] as const;
const EXPECTED_FIELDS = ['metrics', 'tolerance', 'margin', 'baselineRun', 'strings', 'inputs'] as const;
const DATASET_INPUT_FIELDS = ['content', 'files', 'stats'] as const;
const SYSTEM_INPUT_FIELDS = ['encoder', 'strings'] as const;
/** The compact layout's top-level `inputs`: per dataset its files' digests, per group of systems their encoder. */
const RECORDED_FIELDS = ['datasets', 'encoders'] as const;
const RECORDED_DATASET_FIELDS = ['content', 'files'] as const;
const RECORDED_ENCODER_FIELDS = ['systems', 'encoder'] as const;
/** What a compact matrix's old-layout field is now (the error names it). */
const OLD_LAYOUT = 'this matrix records inputs in the compact layout (top-level "inputs"), where an entry has "stats" and a condition "strings"; regress convert rewrites an old matrix';
const NAME_FORM = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

/** Where a value was written: `file:line: path` (for errors found after parsing, e.g. a missing run file). */
type Where = string;

/** A dataset's files as recorded once in a compact matrix (`inputs.datasets.<dataset>`), every split's qrels included. */
interface RecordedDataset {
  content: Fingerprint | null;
  files: Fingerprint | null;
}

/** The compact layout's top-level `inputs`, read; null for a matrix in the old layout. */
interface Recorded {
  datasets: Map<string, RecordedDataset>;
  /** By system id. */
  encoders: Map<string, Fingerprint>;
}

export interface Expectation {
  /** Expected value per metric (canonical name): what the stored baseline run scores. */
  metrics: Map<MetricName, number>;
  /** How each metric is spelled in the file (`NDCG@10`), so --update keeps the spelling. */
  keys: Map<MetricName, string>;
  /** Where each expected value is written (`file:line: path`), for errors about it. */
  metricWhere: Map<MetricName, Where>;
  /**
   * How far each expected value may be from what the stored baseline run scores, resolved (system, then dataset
   * entry, then file, then DEFAULT_TOLERANCE).
   */
  tolerance: Record<MetricName, number>;
  /** Equivalence margin per metric for approximate systems, resolved like the tolerance (default DEFAULT_MARGIN). */
  margin: Record<MetricName, number>;
  /** Stored TREC run of the baseline, for the paired check. */
  baselineRun: BaselineRun | null;
  inputs: SystemInputs | null;
  where: Where;
}

export interface BaselineRun {
  /** Absolute. */
  path: string;
  /** As written, or the default, relative to the matrix file. */
  ref: string;
  where: Where;
}

/** One item of `datasets:`: a dataset (split, slice) and the systems run on it. Each pair is a condition. */
export interface DatasetEntry {
  index: number;
  /** `scifact`, `scifact.q20.d200`: names conditions (`scifact/bm25`) and output folders. */
  name: string;
  /** The dataset's name: a registry name, or a folder's (the name given, or the folder's own); keys its recorded inputs. */
  dataset: string;
  /** The `dataset:` value as written: a registry name, a BEIR folder's path relative to the matrix file, or NAME=PATH. */
  source: string;
  /** The matrix file's folder, which folder paths are relative to. */
  baseDir: string;
  split: string;
  maxQueries?: number;
  maxDocs?: number;
  tags: string[];
  systems: SystemSpec[];
  inputs: DatasetInputs | null;
  /** By system id; a system without an entry has no expectation yet (--update records one). */
  expected: Map<string, Expectation>;
  where: Where;
}

export interface RegressionMatrix {
  file: string;
  /** The file name without extension: names the matrix in reports and the default baseline-run folder. */
  name: string;
  yaml: YamlFile;
  metrics: MetricName[];
  systems: SystemSpec[];
  datasets: DatasetEntry[];
}

/** `scifact`, `scifact.dev`, `scifact.q20.d200`. */
export function defaultEntryName(e: Pick<DatasetEntry, 'dataset' | 'split' | 'maxQueries' | 'maxDocs'>): string {
  return [e.dataset, e.split === 'test' ? '' : e.split, e.maxQueries ? `q${e.maxQueries}` : '', e.maxDocs ? `d${e.maxDocs}` : '']
    .filter(Boolean)
    .join('.');
}

/** A condition's name: `scifact/bm25`. */
export const conditionName = (entry: Pick<DatasetEntry, 'name'>, system: Pick<SystemSpec, 'id'>) => `${entry.name}/${system.id}`;

/** The default stored baseline run of a condition, relative to the matrix file: `<matrix>/<entry>.<system>.trec`. */
export const defaultBaselineRun = (matrix: Pick<RegressionMatrix, 'name'>, entry: Pick<DatasetEntry, 'name'>, systemId: string) =>
  `${matrix.name}/${entry.name}.${systemId}.trec`;

/** A per-metric number as written: one value for every metric, or one per metric. */
type PerMetricSpec = { all?: number; byMetric: Partial<Record<MetricName, number>> };

function metricKey(f: Field, key: string, metrics: readonly MetricName[] | null): MetricName {
  const kf = f.keyField(key);
  let m: MetricName;
  try {
    m = parseMetricName(key);
  } catch (err) {
    throw kf.error((err as Error).message);
  }
  if (metrics && !metrics.includes(m)) throw kf.error(`${displayName(m)} is not among the matrix's metrics (${metrics.map(displayName).join(', ')}); add it to "metrics"`);
  return m;
}

/** How `tolerance` and `margin` values are read. */
const PER_METRIC_VALUES = {
  tolerance: (f: Field) =>
    f.number(MIN_TOLERANCE, 0.999999, `a tolerance: an absolute difference from ${MIN_TOLERANCE} (expected values are stored with ${STORED_DECIMALS} decimals) to below 1`),
  margin: (f: Field) => f.number(MIN_TOLERANCE, 0.5, `an equivalence margin: an absolute difference in the metric's mean from ${MIN_TOLERANCE} to 0.5`),
};
type PerMetricField = keyof typeof PER_METRIC_VALUES;

/** `tolerance: 0.002` (every metric) or `tolerance: {NDCG@10: 0.002, Recall@10: 0.005}`; `margin` alike. */
function readPerMetric(kind: PerMetricField, f: Field | undefined, metrics: readonly MetricName[]): PerMetricSpec {
  if (!f) return { byMetric: {} };
  const value = PER_METRIC_VALUES[kind];
  if (!f.isMap) return { all: value(f), byMetric: {} };
  const byMetric: PerMetricSpec['byMetric'] = {};
  for (const [key, v] of f.entries()) byMetric[metricKey(f, key, metrics)] = value(v);
  return { byMetric };
}

/** The most specific value given for each metric, else the default. */
function resolvePerMetric(metrics: readonly MetricName[], specs: PerMetricSpec[], fallback: number): Record<MetricName, number> {
  return Object.fromEntries(metrics.map((m) => [m, specs.map((s) => s.byMetric[m] ?? s.all).find((v) => v !== undefined) ?? fallback]));
}

/** The file's and the entry's tolerance and margin, which a system's own override. */
interface Inherited {
  tolerance: PerMetricSpec[];
  margin: PerMetricSpec[];
}

function fingerprint(f: Field | undefined): Fingerprint | null {
  if (!f) return null;
  return Object.fromEntries(f.entries().map(([k, v]) => [k, v.plain()]));
}

function readDatasetInputs(f: Field | undefined): DatasetInputs | null {
  if (!f) return null;
  const content = fingerprint(f.optional('content', DATASET_INPUT_FIELDS));
  const files = fingerprint(f.optional('files', DATASET_INPUT_FIELDS));
  const stats = fingerprint(f.optional('stats', DATASET_INPUT_FIELDS));
  if (!stats || (!content && !files)) throw f.error('recorded inputs need "content" and "stats" (run regress --update to record them)');
  // Without content digests (recorded by an older beir-bench) the inputs cannot be compared: regress refuses to run, --update records them.
  return { content, files, stats, where: `${f.where}: ${f.path}` };
}

function readSystemInputs(f: Field | undefined): SystemInputs | null {
  if (!f) return null;
  return { encoder: fingerprint(f.optional('encoder', SYSTEM_INPUT_FIELDS)), strings: fingerprint(f.optional('strings', SYSTEM_INPUT_FIELDS)) };
}

/** The files an entry reads of its dataset's record: corpus, queries and its own split's qrels. */
export function filesOfSplit(record: Fingerprint | null, split: string): Fingerprint | null {
  if (!record) return null;
  return Object.fromEntries(Object.entries(record).filter(([file]) => !file.startsWith('qrels/') || file === `qrels/${split}.tsv`));
}

/** The compact layout's top-level `inputs` (absent: the old layout, or nothing recorded yet). */
function readRecorded(f: Field | undefined, systems: readonly SystemSpec[], folderNames: ReadonlySet<string>): Recorded | null {
  if (!f) return null;
  const recorded: Recorded = { datasets: new Map(), encoders: new Map() };
  const datasetsField = f.optional('datasets', RECORDED_FIELDS);
  for (const [name, d] of datasetsField?.entries() ?? []) {
    // A registry name, or the name of a folder one of the entries reads.
    const dataset = findDataset(name)?.name ?? (folderNames.has(name) ? name : undefined);
    if (dataset === undefined) throw datasetsField!.keyField(name).error(unknownDatasetMessage(name));
    const content = fingerprint(d.optional('content', RECORDED_DATASET_FIELDS));
    if (!content) throw d.error('"content" is required: the content digests of the dataset\'s files (run regress --update to record them)');
    recorded.datasets.set(dataset, { content, files: fingerprint(d.optional('files', RECORDED_DATASET_FIELDS)) });
  }
  const known = new Set(systems.map((s) => s.id));
  for (const group of f.optional('encoders', RECORDED_FIELDS)?.items() ?? []) {
    const encoder = fingerprint(group.required('encoder', RECORDED_ENCODER_FIELDS, '"encoder" is required: the fingerprint these systems were recorded with'));
    for (const idField of group.required('systems', RECORDED_ENCODER_FIELDS, '"systems" is required: the ids of the systems this encoder was recorded for').items()) {
      const id = idField.string();
      if (!known.has(id)) throw idField.error(`no system has the id "${id}"; the systems are ${[...known].join(', ')}`);
      if (recorded.encoders.has(id)) throw idField.error(`"${id}" is in two encoder groups; a system has one encoder`);
      recorded.encoders.set(id, encoder!);
    }
  }
  return recorded;
}

/** An entry's recorded inputs: its own `inputs` (old layout) or its `stats` and its dataset's record (compact). */
function entryInputs(get: (k: (typeof DATASET_FIELDS)[number]) => Field | undefined, slice: { dataset: string; split: string }, recorded: Recorded | null): DatasetInputs | null {
  const old = get('inputs');
  const statsField = get('stats');
  if (recorded && old) throw old.error(`${OLD_LAYOUT} (the dataset's digests go under inputs.datasets.${slice.dataset}, its statistics under "stats")`);
  if (!statsField) return readDatasetInputs(old);
  if (old) throw statsField.error('"stats" and "inputs" both record this entry\'s inputs: keep one layout');
  const record = recorded?.datasets.get(slice.dataset);
  if (!record) throw statsField.error(`the content digests of ${slice.dataset} are not recorded under the top-level inputs.datasets.${slice.dataset} (run regress --update to record them)`);
  return {
    content: filesOfSplit(record.content, slice.split),
    files: filesOfSplit(record.files, slice.split),
    stats: fingerprint(statsField)!,
    where: `${statsField.where}: ${statsField.path}`,
  };
}

/** A condition's recorded inputs: its own `inputs` (old layout) or its `strings` and its system's encoder (compact). */
function conditionInputs(e: Field, systemId: string, recorded: Recorded | null): SystemInputs | null {
  const old = e.optional('inputs', EXPECTED_FIELDS);
  const stringsField = e.optional('strings', EXPECTED_FIELDS);
  if (recorded && old) throw old.error(`${OLD_LAYOUT} (the encoder goes under inputs.encoders, the strings under "strings")`);
  if (!stringsField) return readSystemInputs(old);
  if (old) throw stringsField.error('"strings" and "inputs" both record this condition\'s inputs: keep one layout');
  return { encoder: recorded?.encoders.get(systemId) ?? null, strings: fingerprint(stringsField) };
}

function readStringList(f: Field): string[] {
  return f.isList ? f.items().map((i) => i.string()) : [f.string()];
}

function readEntry(
  item: Field,
  index: number,
  ctx: { file: string; metrics: MetricName[]; systems: SystemSpec[]; top: Inherited; recorded: Recorded | null },
): DatasetEntry {
  const get = (k: (typeof DATASET_FIELDS)[number]) => item.optional(k, DATASET_FIELDS);
  const datasetField = item.required(
    'dataset',
    DATASET_FIELDS,
    '"dataset" is required: a registry name (see the "datasets" command), or a BEIR folder\'s path relative to this file, or NAME=PATH',
  );
  const source = datasetField.string();
  let spec: ReturnType<typeof parseDatasetSpec>;
  try {
    spec = parseDatasetSpec(source);
  } catch (err) {
    throw datasetField.error((err as Error).message);
  }
  // A bare name must be the registry's (a typo is caught here); a folder is written as a path or NAME=PATH.
  if (spec.path === undefined && !findDataset(spec.name)) throw datasetField.error(unknownDatasetMessage(source));
  const dataset = spec.name;
  const slice = {
    dataset,
    split: get('split')?.string() ?? 'test',
    maxQueries: get('maxQueries')?.positiveInteger(),
    maxDocs: get('maxDocs')?.positiveInteger(),
  };
  const nameField = get('name');
  const entryName = nameField ? nameField.string() : defaultEntryName(slice);
  if (!NAME_FORM.test(entryName)) throw nameField!.error('a name uses letters, digits and + . _ - only (it names folders and files)');

  const known = new Map(ctx.systems.map((s) => [s.id, s]));
  const knownList = () => [...known.keys()].join(', ');
  const systemsField = get('systems');
  const systems = systemsField
    ? systemsField.items().map((f) => {
        const s = known.get(f.string());
        if (!s) throw f.error(`no system has the id "${f.string()}"; the systems are ${knownList()}`);
        return s;
      })
    : ctx.systems;

  const inherited: Inherited = {
    tolerance: [readPerMetric('tolerance', get('tolerance'), ctx.metrics), ...ctx.top.tolerance],
    margin: [readPerMetric('margin', get('margin'), ctx.metrics), ...ctx.top.margin],
  };
  const expected = new Map<string, Expectation>();
  const expectedField = get('expected');
  for (const [id, e] of expectedField ? expectedField.entries() : []) {
    if (!systems.some((s) => s.id === id)) {
      throw expectedField!.keyField(id).error(`"${id}" is not a system run on this dataset entry (${systems.map((s) => s.id).join(', ')})`);
    }
    const metricsField = e.required('metrics', EXPECTED_FIELDS, '"metrics" is required: the expected value of each metric');
    const values = new Map<MetricName, number>();
    const keys = new Map<MetricName, string>();
    const metricWhere = new Map<MetricName, Where>();
    for (const [key, v] of metricsField.entries()) {
      const m = metricKey(metricsField, key, ctx.metrics);
      values.set(m, v.number(0, 1, 'a metric value between 0 and 1'));
      keys.set(m, key);
      metricWhere.set(m, `${v.where}: ${v.path}`);
    }
    const runField = e.optional('baselineRun', EXPECTED_FIELDS);
    const ref = runField?.string();
    expected.set(id, {
      metrics: values,
      keys,
      metricWhere,
      tolerance: resolvePerMetric(ctx.metrics, [readPerMetric('tolerance', e.optional('tolerance', EXPECTED_FIELDS), ctx.metrics), ...inherited.tolerance], DEFAULT_TOLERANCE),
      margin: resolvePerMetric(ctx.metrics, [readPerMetric('margin', e.optional('margin', EXPECTED_FIELDS), ctx.metrics), ...inherited.margin], DEFAULT_MARGIN),
      baselineRun: ref === undefined ? null : { path: resolve(dirname(ctx.file), ref), ref, where: `${runField!.where}: ${runField!.path}` },
      inputs: conditionInputs(e, id, ctx.recorded),
      where: `${e.where}: ${e.path}`,
    });
  }
  return {
    index,
    name: entryName,
    ...slice,
    source,
    baseDir: dirname(resolve(ctx.file)),
    tags: get('tags') ? readStringList(get('tags')!) : [],
    systems,
    inputs: entryInputs(get, slice, ctx.recorded),
    expected,
    where: `${item.where}: ${item.path}`,
  };
}

/** Parse matrix YAML text (`file` names it in errors and anchors relative baseline-run paths). */
export function parseMatrix(text: string, file: string): RegressionMatrix {
  return matrixOf(parseYamlFile(text, file), file);
}

export async function readMatrix(file: string): Promise<RegressionMatrix> {
  return matrixOf(await readYamlFile(file, 'regression matrix'), file);
}

function matrixOf(yaml: YamlFile, file: string): RegressionMatrix {
  const { root } = yaml;
  if (!root.present) throw root.error('the file is empty; a matrix needs "systems" and "datasets"');
  const get = (k: (typeof TOP_FIELDS)[number]) => root.optional(k, TOP_FIELDS);

  const metricsField = get('metrics');
  const metrics = metricsField ? metricsField.items().map((f) => metricKey(metricsField, f.string(), null)) : headlineMetrics();
  if (metrics.length === 0) throw metricsField!.error('the list is empty');

  let systems: SystemSpec[];
  const drafts = parseSystemsSection(root, { dtype: 'fp32', backend: 'embedded', cliModels: [] }, TOP_FIELDS);
  try {
    systems = buildSystems(drafts);
  } catch (err) {
    throw err instanceof UserError ? root.get('systems', TOP_FIELDS).error((err as Error).message) : err;
  }

  const datasetsField = root.required('datasets', TOP_FIELDS, 'a "datasets" list is required: the datasets (and slices) to run the systems on');
  const items = datasetsField.items();
  if (items.length === 0) throw datasetsField.error('the list is empty');
  const top: Inherited = { tolerance: [readPerMetric('tolerance', get('tolerance'), metrics)], margin: [readPerMetric('margin', get('margin'), metrics)] };
  // The names of the folders the entries read, which may key recorded digests (a bad entry is reported where it is read).
  const folderNames = new Set(
    items.flatMap((item) => {
      try {
        const spec = parseDatasetSpec(item.optional('dataset', DATASET_FIELDS)?.string() ?? '');
        return spec.path !== undefined ? [spec.name] : [];
      } catch {
        return [];
      }
    }),
  );
  const recorded = readRecorded(get('inputs'), systems, folderNames);
  const ctx = { file, metrics, systems, top, recorded };
  const datasets: DatasetEntry[] = [];
  for (const [i, item] of items.entries()) {
    const entry = readEntry(item, i, ctx);
    if (datasets.some((d) => d.name === entry.name)) {
      throw item.error(`two dataset entries are named "${entry.name}"; give one a "name" (names must be unique)`);
    }
    // One name, one dataset: its recorded digests (inputs.datasets.<name>) must describe a single folder.
    const other = datasets.find((d) => d.dataset === entry.dataset && parseDatasetSpec(d.source).path !== parseDatasetSpec(entry.source).path);
    if (other) throw item.get('dataset', DATASET_FIELDS).error(`"${entry.source}" and "${other.source}" (${other.where}) are both named ${entry.dataset}: name one of them, NAME=PATH`);
    datasets.push(entry);
  }
  return { file, name: basename(file, extname(file)), yaml, metrics, systems, datasets };
}

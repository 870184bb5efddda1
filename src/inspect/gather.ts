/**
 * Where the evidence comes from: the runs' own files. Per-query scores from results.json, hits from the TREC run
 * files the run folder holds, judgments and query texts from the dataset folder results.json records (through the
 * dataset loaders), and passages from its corpus.jsonl, streamed once and kept only for the docs shown. The
 * dataset files must be the ones the run read (recorded-files.ts): otherwise nothing is shown.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CORPUS_FILE, loadSplitQueries, readCorpus } from '../datasets/loaders.js';
import { ContentDigest } from '../datasets/content-digest.js';
import { UserError } from '../errors.js';
import { parseMetricName, displayName } from '../eval/metrics.js';
import { rankTop } from '../eval/top-k.js';
import { forEachRunLine } from '../formats/run-file.js';
import type { Scored } from '../ranking.js';
import type { ReportCell, ReportDataset, ReportModel } from '../report/combine.js';
import type { DatasetResults } from '../results/schema.js';
import { compareQueries, shownDocIds, type ComparisonEvidence, type InspectDataset, type InspectModel, type Passage, type Side } from './evidence.js';
import { checkRecordedFile, corpusCheck, type CorpusCheck } from './recorded-files.js';

export interface InspectOptions {
  /** Largest losses and gains shown per comparison, each. */
  top: number;
  /** Query ids shown whatever their change. */
  queries: readonly string[];
  /** Hits shown per system; default the run's k. */
  k?: number;
  /** Measure losses and gains are ranked by (any spelling); default the run's first. */
  metric?: string;
  /** Column ids: a pair to inspect, or a filter on the recorded comparisons. */
  baseline?: string;
  system?: string;
  /** Dataset names to inspect; default every one the results hold. */
  datasets?: readonly string[];
  /** A folder holding <dataset>/ to read instead of the folder results.json records (moved data). */
  dataDir?: string;
}

/** The pairs of one dataset the options ask for, as column ids. */
function pairsOf(d: ReportDataset, model: ReportModel, opts: InspectOptions): { baseline: string; system: string; lengthAnalysis: ComparisonEvidence['lengthAnalysis'] }[] {
  const ran = d.cells.map((c) => c.column);
  for (const id of [opts.baseline, opts.system]) {
    if (id !== undefined && !ran.includes(id)) {
      const known = model.columns.some((c) => c.id === id) ? 'did not run on' : 'is not a system of the results for';
      throw new UserError(`system "${id}" ${known} ${d.displayName} (systems there: ${ran.join(', ')}); pass one of them to --baseline / --system`);
    }
  }
  const recorded = d.comparisons.map((c) => ({ baseline: c.baseline, system: c.system, lengthAnalysis: c.lengthAnalysis }));
  if (opts.baseline !== undefined && opts.system !== undefined) {
    if (opts.baseline === opts.system) throw new UserError(`--baseline and --system are both "${opts.system}": name two systems`);
    const same = recorded.find((c) => c.baseline === opts.baseline && c.system === opts.system);
    return [same ?? { baseline: opts.baseline, system: opts.system, lengthAnalysis: null }];
  }
  return recorded.filter((c) => (opts.baseline ?? c.baseline) === c.baseline && (opts.system ?? c.system) === c.system);
}

/** The results.json a cell came from and its record of the dataset. */
function recordOf(model: ReportModel, cell: ReportCell, dataset: string): { source: string; record: DatasetResults } {
  const run = model.runs[cell.run - 1];
  return { source: run.source, record: run.results.datasets.find((x) => x.name === dataset)! };
}

/** A run file ranked per query as it was scored (self hits dropped when the run dropped them), for the queries asked. */
async function readRankedRun(path: string, queries: ReadonlySet<string>, dropSelf: boolean): Promise<{ run: Map<string, Scored[]>; depth: number }> {
  if (!(await stat(path).then((s) => s.isFile(), () => false))) {
    throw new UserError(`run file ${path} (listed in its results.json) is missing: inspect reads the run folder bench wrote, results.json beside its runs/`);
  }
  const scores = new Map<string, Map<string, number>>();
  await forEachRunLine(path, ({ qid, docId, score }) => {
    if (!queries.has(qid)) return;
    let docs = scores.get(qid);
    if (!docs) scores.set(qid, (docs = new Map()));
    docs.set(docId, score);
  });
  const run = new Map<string, Scored[]>();
  let depth = 0;
  for (const [q, docs] of scores) {
    const ranked = rankTop(docs, docs.size, dropSelf ? q : undefined);
    run.set(q, ranked);
    depth = Math.max(depth, ranked.length);
  }
  return { run, depth };
}

function sideOf(model: ReportModel, d: ReportDataset, column: string): { cell: ReportCell; label: string } {
  const cell = d.cells.find((c) => c.column === column)!;
  if (model.runs[cell.run - 1].results.imported || cell.results.runFile === '') {
    throw new UserError(`${model.runs[cell.run - 1].source} is an imported table: it has no run files to inspect`);
  }
  return { cell, label: model.columns.find((c) => c.id === column)!.label };
}

/** Every comparison asked for, with the passages it shows; throws a UserError (nothing read further) on bad input. */
export async function gatherEvidence(model: ReportModel, opts: InspectOptions): Promise<InspectModel> {
  const metric = opts.metric === undefined ? model.metrics[0] : parseMetricName(opts.metric);
  if (!model.metrics.includes(metric)) throw new UserError(`--metric ${displayName(metric)}: the results hold ${model.metrics.map(displayName).join(', ')}`);
  const k = opts.k ?? model.k;
  const names = opts.datasets ?? model.datasets.map((d) => d.name);
  for (const n of names) {
    if (!model.datasets.some((d) => d.name === n)) throw new UserError(`--dataset ${n}: the results hold ${model.datasets.map((d) => d.name).join(', ')}`);
  }
  const asked = new Set(opts.queries);
  const found = new Set<string>();
  const scoredBy: string[] = [];
  const pending: { d: ReportDataset; comparisons: ComparisonEvidence[]; corpusPath: string; corpus: CorpusCheck[] }[] = [];
  const out: InspectDataset[] = [];
  for (const d of model.datasets.filter((x) => names.includes(x.name))) {
    const pairs = pairsOf(d, model, opts);
    if (pairs.length === 0) continue;
    const first = recordOf(model, d.cells[0], d.name);
    const folder = await datasetFolder(first.record, first.source, opts.dataDir);
    const split = await loadSplitQueries(folder, first.record.split);
    const cells = [...new Set(pairs.flatMap((p) => [p.baseline, p.system]))].map((c) => sideOf(model, d, c));
    const records = [...new Map(cells.map(({ cell }) => recordOf(model, cell, d.name)).map((r) => [r.source, r])).values()];
    for (const r of records) {
      await checkRecordedFile(r, split.queriesPath, 'queries.jsonl');
      await checkRecordedFile(r, split.qrelsPath, `qrels/${r.record.split}.tsv`);
    }
    const corpus = await Promise.all(records.map((r) => corpusCheck(r, join(folder, CORPUS_FILE))));

    const sides = new Map<string, Side>();
    for (const { cell, label } of cells) {
      const source = model.runs[cell.run - 1];
      const scored = new Set(Object.keys(cell.results.perQuery));
      const { run, depth } = await readRankedRun(join(dirname(source.source), cell.results.runFile), scored, source.results.config.ignoreIdenticalIds);
      sides.set(cell.column, { ref: { id: cell.column, label, depth }, perQuery: cell.results.perQuery, run });
    }
    const texts = new Map(split.queries.map((q) => [q.id, q.text]));
    const comparisons = pairs.map((p) => {
      const a = sides.get(p.baseline)!;
      const b = sides.get(p.system)!;
      // A query asked for is shown by each comparison that scored it; one that none scored is an error below.
      const held = [...asked].filter((q) => q in a.perQuery && q in b.perQuery);
      for (const q of held) found.add(q);
      scoredBy.push(`${b.ref.label} vs ${a.ref.label} on ${d.displayName} (${Object.keys(a.perQuery).length} queries, e.g. ${Object.keys(a.perQuery).slice(0, 2).join(', ')})`);
      return compareQueries(d, a, b, split.qrels, texts, { top: opts.top, asked: held, metric, k }, metric === model.metrics[0] ? p.lengthAnalysis : null);
    });
    pending.push({ d, comparisons, corpusPath: join(folder, CORPUS_FILE), corpus });
  }
  if (pending.length === 0) {
    const wanted = [opts.baseline && `--baseline ${opts.baseline}`, opts.system && `--system ${opts.system}`].filter(Boolean).join(' ');
    throw new UserError(`no comparison to inspect${wanted ? ` matches ${wanted}` : ' in the results'}: name two systems with --baseline and --system`);
  }
  const unknown = [...asked].filter((q) => !found.has(q));
  if (unknown.length > 0) throw new UserError(`--query ${unknown.join(',')}: not a query both systems scored in ${scoredBy.join('; ')}`);
  for (const { d, comparisons, corpusPath, corpus } of pending) {
    const passages = await readPassages(corpusPath, shownDocIds(comparisons), corpus);
    out.push({ name: d.name, displayName: d.displayName, comparisons, passages });
  }
  return { datasets: out };
}

/** The dataset folder the run read, or its copy under --data-dir; a folder that is gone is a one-line error. */
async function datasetFolder(record: DatasetResults, source: string, dataDir: string | undefined): Promise<string> {
  const folder = dataDir === undefined ? record.folder : join(dataDir, record.name);
  if (await stat(folder).then((s) => s.isDirectory(), () => false)) return folder;
  throw new UserError(
    dataDir === undefined
      ? `dataset folder ${folder} (recorded by ${source}) is not there: run inspect where the run ran, or pass --data-dir DIR holding ${record.name}/`
      : `--data-dir ${dataDir}: ${folder} is not a folder (it must hold ${record.name}/corpus.jsonl, queries.jsonl, qrels/)`,
  );
}

/**
 * One pass over corpus.jsonl keeping the passages of `ids` (a repeated id keeps its last content, as BEIR's dict),
 * feeding the content digest when the corpus check needs it; the check runs before anything is returned.
 */
async function readPassages(path: string, ids: ReadonlySet<string>, checks: readonly CorpusCheck[]): Promise<Record<string, Passage>> {
  const digest = checks.some((c) => c.needsContent) ? new ContentDigest() : undefined;
  const kept = new Map<string, Passage>();
  for await (const doc of readCorpus(path, digest)) if (ids.has(doc.id)) kept.set(doc.id, { title: doc.title, text: doc.text });
  const content = digest ? digest.digest() : null;
  for (const check of checks) check.verify(content);
  return Object.fromEntries(kept);
}

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readJsonLines, textField } from '../formats/jsonl.js';
import { readQrels } from '../formats/qrels-file.js';
import type { Qrels, Query } from '../types.js';
import { scanCorpus, type Corpus } from './corpus.js';
import { idField } from './corpus-file.js';
import { ContentDigest, jsonLinesContentDigest, qrelsContentDigest } from './content-digest.js';
import { fileDigest } from './digest.js';
import { pickFillerDocs, pickQueries } from './slice.js';

export { readCorpus } from './corpus-file.js';

/** All queries of a BEIR queries.jsonl, id -> text; a repeated id keeps its last text (BEIR's dict). */
export async function readQueries(path: string): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  for await (const line of readJsonLines(path, 'queries')) queries.set(idField(line), textField(line, 'text'));
  return queries;
}

export const CORPUS_FILE = 'corpus.jsonl';
const QUERIES_FILE = 'queries.jsonl';
const qrelsFile = (split: string) => `qrels/${split}.tsv`;

/** Path of a dataset file; a missing one is a UserError naming it (and, for qrels, the splits there are). */
async function requireDatasetFile(folder: string, file: string): Promise<string> {
  const path = join(folder, file);
  if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  let hint = '';
  if (file.startsWith('qrels/')) {
    const splits = await readdir(join(folder, 'qrels')).then((names) => names.filter((n) => n.endsWith('.tsv')).map((n) => n.slice(0, -4)), () => []);
    hint = splits.length > 0 ? ` (splits available: ${splits.sort().join(', ')})` : '';
  }
  throw new UserError(`${file} not found in ${folder}: ${path} is missing${hint}`);
}

interface SplitQueries {
  /** Queries judged in the split, in qrels order. */
  queries: Query[];
  /** The split's qrels, restricted to `queries`. */
  qrels: Qrels;
  /** Judged queries in the split before `maxQueries`. */
  judgedQueriesTotal: number;
  queriesPath: string;
  qrelsPath: string;
}

/**
 * The queries of one split as BEIR's GenericDataLoader keeps them: only those with qrels, in qrels order.
 * A qrels query absent from queries.jsonl is a data error naming it. `maxQueries` keeps that many, picked in
 * slice order (src/datasets/slice.ts), whatever the order of the files.
 */
export async function loadSplitQueries(folder: string, split: string, maxQueries?: number): Promise<SplitQueries> {
  const qrelsPath = await requireDatasetFile(folder, qrelsFile(split));
  const queriesPath = await requireDatasetFile(folder, QUERIES_FILE);
  const [allQrels, texts] = await Promise.all([readQrels(qrelsPath, { format: 'beir' }), readQueries(queriesPath)]);

  const missing = [...allQrels.keys()].filter((id) => !texts.has(id));
  if (missing.length > 0) {
    throw new UserError(
      `${missing.length} quer${missing.length === 1 ? 'y' : 'ies'} of ${qrelsPath} missing from ${queriesPath}: ` +
        `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  }
  const judged = [...allQrels.keys()];
  const ids = maxQueries === undefined ? judged : pickQueries(judged, maxQueries);
  return {
    queries: ids.map((id) => ({ id, text: texts.get(id)! })),
    qrels: new Map(ids.map((id) => [id, allQrels.get(id)!])),
    judgedQueriesTotal: allQrels.size,
    queriesPath,
    qrelsPath,
  };
}

/** A dataset file as a run records it. */
export interface DatasetFile {
  path: string;
  bytes: number;
  /** sha256 of the bytes: provenance (a file re-sorted or re-encoded differs here). */
  sha256: string;
  /** Digest of the records, independent of their layout (src/datasets/content-digest.ts): identity. */
  contentDigest: string;
}

export interface LoadedDataset {
  name: string;
  folder: string;
  split: string;
  /** The docs kept, as a stream plus the compact table of their ids (src/datasets/corpus.ts); never held whole. */
  corpus: Corpus;
  /** Words of each kept doc's text, by corpus row (the stats table's passage lengths). */
  textWords: Uint32Array;
  queries: Query[];
  qrels: Qrels;
  /** Sizes before --max-docs / --max-queries (equal to corpus.size / queries.length on a full load). */
  corpusDocsTotal: number;
  judgedQueriesTotal: number;
  /** qrels rows (of the kept queries) whose doc id is not in corpus.jsonl: reported, not fatal (ArguAna has one). */
  qrelsDocsMissingFromCorpus: { rows: number; docIds: number; examples: string[] };
  /** corpus.jsonl, queries.jsonl and qrels/<split>.tsv by their path relative to the folder. */
  files: Record<string, DatasetFile>;
}

interface LoadOptions {
  split: string;
  /**
   * Smoke runs: keep every doc judged relevant (grade >= 1) to a kept query, plus other docs in slice order
   * (src/datasets/slice.ts) up to `maxDocs` in total (more only if the relevant docs alone exceed it), so
   * retrieval still has hits to find.
   */
  maxDocs?: number;
  /** Keep `maxQueries` judged queries, picked in slice order (kept in qrels order). */
  maxQueries?: number;
}

/**
 * Load a BEIR folder: the split's queries and qrels, and one pass over the corpus that keeps only the ids of its
 * docs (a table) and their text lengths; the docs themselves are streamed again by whoever needs them.
 */
export async function loadDataset(name: string, folder: string, opts: LoadOptions): Promise<LoadedDataset> {
  for (const [key, v] of [['maxDocs', opts.maxDocs], ['maxQueries', opts.maxQueries]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserError(`${key} must be a positive integer, got ${v}`);
  }
  const corpusPath = await requireDatasetFile(folder, CORPUS_FILE);
  const { queries, qrels, judgedQueriesTotal, queriesPath, qrelsPath } = await loadSplitQueries(folder, opts.split, opts.maxQueries);

  const relevant = new Set<string>();
  for (const judged of qrels.values()) for (const [docId, grade] of judged) if (grade >= 1) relevant.add(docId);
  const only =
    opts.maxDocs === undefined ? undefined : new Set([...relevant, ...(await pickFillerDocs(corpusPath, relevant, Math.max(0, opts.maxDocs - relevant.size)))]);

  const qrelsDocIds = new Set<string>();
  for (const judged of qrels.values()) for (const docId of judged.keys()) qrelsDocIds.add(docId);
  const corpusDigest = new ContentDigest();
  const scanned = stat(corpusPath).then((s) => scanCorpus(corpusPath, s.size, { only, lookFor: qrelsDocIds, digest: corpusDigest }));
  const [files, scan] = await Promise.all([
    describeFiles([
      [CORPUS_FILE, corpusPath, () => scanned.then(() => corpusDigest.digest())],
      [QUERIES_FILE, queriesPath, () => jsonLinesContentDigest(queriesPath, 'queries')],
      [qrelsFile(opts.split), qrelsPath, () => qrelsContentDigest(qrelsPath)],
    ]),
    scanned,
  ]);

  const missingIds = new Set<string>();
  let missingRows = 0;
  for (const judged of qrels.values()) {
    for (const docId of judged.keys()) {
      if (scan.found.has(docId)) continue;
      missingRows++;
      missingIds.add(docId);
    }
  }

  return {
    name,
    folder,
    split: opts.split,
    corpus: scan.corpus,
    textWords: scan.textWords,
    queries,
    qrels,
    corpusDocsTotal: scan.distinctDocs,
    judgedQueriesTotal,
    qrelsDocsMissingFromCorpus: { rows: missingRows, docIds: missingIds.size, examples: [...missingIds].slice(0, 5) },
    files,
  };
}

/** Each file's size, byte sha256 (provenance) and content digest (identity: src/datasets/content-digest.ts). */
async function describeFiles(files: [rel: string, path: string, content: () => Promise<string>][]): Promise<LoadedDataset['files']> {
  const entries = await Promise.all(
    files.map(async ([rel, path, content]) => {
      const [info, sha256, contentDigest] = await Promise.all([stat(path), fileDigest(path, 'sha256'), content()]);
      return [rel, { path, bytes: info.size, sha256, contentDigest }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

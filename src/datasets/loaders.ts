import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readJsonLines, textField } from '../formats/jsonl.js';
import { forEachQrelsRow, readQrels } from '../formats/qrels-file.js';
import type { Qrels, Query } from '../types.js';
import { scanCorpus, type Corpus, type RepeatedIds } from './corpus.js';
import { idField } from './corpus-file.js';
import { ContentDigest, jsonLinesContentDigest, qrelsContentDigest } from './content-digest.js';
import { fileDigest } from './digest.js';
import { pickFillerDocs, pickQueries } from './slice.js';

export { readCorpus } from './corpus-file.js';

/**
 * All queries of a BEIR queries.jsonl, id -> text. A repeated id keeps its last text (BEIR's dict), or with
 * `repeatedIds: 'error'` (a user's folder) is refused naming its line.
 */
export async function readQueries(path: string, repeatedIds: RepeatedIds = 'merge'): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  for await (const line of readJsonLines(path, 'queries')) {
    const id = idField(line);
    if (repeatedIds === 'error' && queries.has(id)) {
      throw new UserError(`${line.where}: field "_id": query id "${id}" is repeated (an earlier line has it); give each query one line`);
    }
    queries.set(id, textField(line, 'text'));
  }
  return queries;
}

/** A dataset's files by their path in the folder (each may also be gzip-compressed, with `.gz` appended). */
export const CORPUS_FILE = 'corpus.jsonl';
export const QUERIES_FILE = 'queries.jsonl';
export const qrelsFile = (split: string) => `qrels/${split}.tsv`;

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/** Path of a dataset file, plain or gzip-compressed (`corpus.jsonl.gz`), or null when neither is there. */
export async function findDatasetFile(folder: string, file: string): Promise<string | null> {
  for (const path of [join(folder, file), join(folder, `${file}.gz`)]) if (await isFile(path)) return path;
  return null;
}

/** findDatasetFile, a missing file being a UserError naming it (and, for qrels, the splits there are). */
export async function requireDatasetFile(folder: string, file: string): Promise<string> {
  const path = await findDatasetFile(folder, file);
  if (path !== null) return path;
  let hint = '';
  if (file.startsWith('qrels/')) {
    const names = await readdir(join(folder, 'qrels')).catch(() => [] as string[]);
    const splits = [...new Set(names.flatMap((n) => /^(.+)\.tsv(\.gz)?$/.exec(n)?.[1] ?? []))].sort();
    hint = splits.length > 0 ? ` (splits available: ${splits.join(', ')}; pick one with --split)` : ' (no qrels/<split>.tsv at all)';
  }
  throw new UserError(`${file} not found in ${folder}: ${join(folder, file)} is missing${hint}`);
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
export async function loadSplitQueries(folder: string, split: string, maxQueries?: number, repeatedIds: RepeatedIds = 'merge'): Promise<SplitQueries> {
  const qrelsPath = await requireDatasetFile(folder, qrelsFile(split));
  const queriesPath = await requireDatasetFile(folder, QUERIES_FILE);
  const [allQrels, texts] = await Promise.all([readQrels(qrelsPath, { format: 'beir' }), readQueries(queriesPath, repeatedIds)]);

  const missing = [...allQrels.keys()].filter((id) => !texts.has(id));
  if (missing.length > 0) {
    const line = await firstQrelsLineOf(qrelsPath, missing[0]);
    throw new UserError(
      `${qrelsPath}:${line}: field "query-id": query "${missing[0]}" is not in ${queriesPath}` +
        (missing.length > 1 ? ` (nor are ${missing.length - 1} more: ${missing.slice(1, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})` : ''),
    );
  }
  if (![...allQrels.values()].some((judged) => [...judged.values()].some((grade) => grade >= 1))) {
    throw new UserError(
      `${qrelsPath}: field "score": no row judges a document relevant (grade >= 1), so every query of the ${split} split would score 0; ` +
        'give each query at least one relevant document',
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

/**
 * Bytes of a file's text, for memory estimates (a BM25 index grows with the text, not with its gzip): a `.gz` file's
 * uncompressed size from its trailer (ISIZE, the size mod 2^32: past 4 GiB a lower bound, raised to the compressed
 * size's order).
 */
export async function textBytes(path: string): Promise<number> {
  const { size } = await stat(path);
  if (!path.endsWith('.gz') || size < 18) return size;
  const handle = await open(path, 'r');
  try {
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    let bytes = trailer.readUInt32LE(0);
    while (bytes < size) bytes += 2 ** 32;
    return bytes;
  } finally {
    await handle.close();
  }
}

/** The line of a qrels file where `queryId` first appears (read again only to name it in an error). */
async function firstQrelsLineOf(path: string, queryId: string): Promise<number> {
  let first = 0;
  await forEachQrelsRow(path, { format: 'beir' }, (q, _d, _g, lineNo) => {
    if (first === 0 && q === queryId) first = lineNo;
  });
  return first;
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
  /** A repeated corpus or query `_id`: merged as BEIR's dict does (default), or refused (a user's folder). */
  repeatedIds?: RepeatedIds;
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
  const { queries, qrels, judgedQueriesTotal, queriesPath, qrelsPath } = await loadSplitQueries(folder, opts.split, opts.maxQueries, opts.repeatedIds);

  const relevant = new Set<string>();
  for (const judged of qrels.values()) for (const [docId, grade] of judged) if (grade >= 1) relevant.add(docId);
  const only =
    opts.maxDocs === undefined ? undefined : new Set([...relevant, ...(await pickFillerDocs(corpusPath, relevant, Math.max(0, opts.maxDocs - relevant.size)))]);

  const qrelsDocIds = new Set<string>();
  for (const judged of qrels.values()) for (const docId of judged.keys()) qrelsDocIds.add(docId);
  const corpusDigest = new ContentDigest();
  const scanned = textBytes(corpusPath).then((bytes) => scanCorpus(corpusPath, bytes, { only, lookFor: qrelsDocIds, digest: corpusDigest, repeatedIds: opts.repeatedIds }));
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

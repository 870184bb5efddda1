/**
 * A corpus read as a stream, as often as a run needs it, and never held whole: one pass (`scanCorpus`) builds the
 * compact table of the doc ids kept, and every consumer (stats, encoding into the embedding cache, BM25 indexing,
 * OpenSearch bulk ingestion) then reads `corpus.stream()`, which yields exactly those docs in table order.
 * docs/ARCHITECTURE.md ("Corpora are streams") says how to consume it.
 */
import { UserError } from '../errors.js';
import type { Doc } from '../types.js';
import { wordCount } from '../word-count.js';
import { DocTable } from './doc-table.js';
import type { ContentDigest } from './content-digest.js';
import { readCorpus, readCorpusRecords } from './corpus-file.js';

/** The docs of a run, streamed in row order as often as needed; `ids` is the compact table of their ids. */
export interface Corpus {
  /** Row i is the i-th doc of every stream and the i-th row of the passage vectors. */
  readonly ids: DocTable;
  readonly size: number;
  /** Bytes of corpus.jsonl (of the docs' JSON for an in-memory corpus), for memory estimates. */
  readonly fileBytes: number;
  /** One pass over the docs, in row order. */
  stream(): AsyncGenerator<Doc>;
}

/** A corpus.jsonl as scanned by `scanCorpus`. */
class FileCorpus implements Corpus {
  constructor(
    /** corpus.jsonl. */
    readonly path: string,
    /** Ids of the docs kept, in corpus order: row i is the i-th doc of every stream. */
    readonly ids: DocTable,
    /** Per corpus record (JSON line): 1 when it is the doc of a row. */
    private readonly keep: Uint8Array,
    /** Last content of ids repeated in the file (BEIR's dict: first position, last content); usually empty. */
    private readonly repeated: Map<string, Omit<Doc, 'id'>>,
    /** Size of corpus.jsonl, for memory estimates. */
    readonly fileBytes: number,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /**
   * One pass over the kept docs, in row order. The file is checked against the table as it is read: a corpus.jsonl
   * changed since the scan is a UserError, not a silently shifted run.
   */
  async *stream(): AsyncGenerator<Doc> {
    let record = 0;
    let row = 0;
    for await (const doc of readCorpus(this.path)) {
      if (this.keep[record++] !== 1) continue;
      if (row >= this.ids.size || this.ids.id(row) !== doc.id) throw this.changed(`record ${record} is doc "${doc.id}"`);
      row++;
      const last = this.repeated.get(doc.id);
      yield last ? { id: doc.id, ...last } : doc;
    }
    if (row !== this.ids.size) throw this.changed(`${row} of ${this.ids.size} docs found`);
  }

  private changed(detail: string): UserError {
    return new UserError(`${this.path} changed while the run was reading it (${detail}); re-run on an unchanged corpus`);
  }
}

/** Docs already in memory as a Corpus (scripts and tests); ids must be distinct. */
export function memoryCorpus(docs: readonly Doc[]): Corpus {
  const ids = new DocTable();
  let fileBytes = 0;
  for (const d of docs) {
    if (ids.add(d.id) !== ids.size - 1) throw new Error(`memoryCorpus: doc id "${d.id}" repeated`);
    fileBytes += JSON.stringify(d).length + 1;
  }
  return {
    ids,
    size: ids.size,
    fileBytes,
    async *stream() {
      yield* docs;
    },
  };
}

export interface ScanOptions {
  /** Keep only these docs (a slice, src/datasets/slice.ts); default every doc. */
  only?: ReadonlySet<string>;
  /** Ids to look for among all the corpus's docs (the qrels' doc ids), kept or not. */
  lookFor?: ReadonlySet<string>;
  /** Fed every record of the file, kept or not: the corpus's content digest from the same pass. */
  digest?: ContentDigest;
  /**
   * A repeated `_id`: 'merge' keeps its first position and last content, as BEIR's dict does (the registry's
   * md5-checked zips are read so); 'error' refuses it, naming the line (a folder of the user's, docs/DATASETS.md).
   */
  repeatedIds?: RepeatedIds;
}

export type RepeatedIds = 'merge' | 'error';

export interface CorpusScan {
  corpus: Corpus;
  /** Words of each kept doc's `text` (src/word-count.ts), by row: the stats table's passage lengths. */
  textWords: Uint32Array;
  /** Distinct ids in the whole file (equal to corpus.size when nothing was left out). */
  distinctDocs: number;
  /** Those of `lookFor` present in the file. */
  found: Set<string>;
}

/**
 * The one pass that every later stream relies on. Keeps every doc, or those of `only`, in corpus order; a
 * repeated id keeps its first position and its last content, as BEIR's dict does.
 */
export async function scanCorpus(path: string, fileBytes: number, opts: ScanOptions = {}): Promise<CorpusScan> {
  const ids = new DocTable();
  // Only a slice leaves docs out; then the distinct ids of the whole file need a table of their own.
  const seen = opts.only ? new DocTable() : null;
  const repeated = new Map<string, Omit<Doc, 'id'>>();
  const found = new Set<string>();
  let keep = new Uint8Array(1 << 16);
  let words = new Uint32Array(1 << 12);
  let records = 0;
  for await (const { doc, where } of readCorpusRecords(path, opts.digest)) {
    if (records === keep.length) keep = grown(keep);
    const record = records++;
    if (opts.repeatedIds === 'error' && (seen ?? ids).indexOf(doc.id) >= 0) {
      throw new UserError(`${where}: field "_id": document id "${doc.id}" is repeated (an earlier line has it); give each document one line`);
    }
    seen?.add(doc.id);
    if (opts.lookFor?.has(doc.id)) found.add(doc.id);
    const row = ids.indexOf(doc.id);
    if (row >= 0) {
      repeated.set(doc.id, { title: doc.title, text: doc.text });
      words[row] = wordCount(doc.text);
      continue;
    }
    if (opts.only && !opts.only.has(doc.id)) continue;
    keep[record] = 1;
    const added = ids.add(doc.id);
    if (added === words.length) words = grown(words);
    words[added] = wordCount(doc.text);
  }
  return {
    corpus: new FileCorpus(path, ids, keep.subarray(0, records), repeated, fileBytes),
    textWords: words.slice(0, ids.size),
    distinctDocs: seen ? seen.size : ids.size,
    found,
  };
}

function grown<T extends Uint8Array | Uint32Array>(a: T): T {
  const out = new (a.constructor as new (n: number) => T)(a.length * 2);
  out.set(a);
  return out;
}

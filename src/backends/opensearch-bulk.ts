/**
 * Bulk ingestion of documents (and their precomputed vectors) into one index: bounded concurrency,
 * backoff on 429/5xx both for whole requests and for rejected items, and a report of items that failed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type Client } from '@opensearch-project/opensearch';
import type { Corpus } from '../datasets/corpus.js';
import type { PassageVectors } from '../embed/passage-vectors.js';
import { matrixRow, type Doc, type Matrix } from '../types.js';
import { UserError } from '../errors.js';
import { startProgress } from '../progress.js';
import { permissionFailure } from './opensearch-access-errors.js';
import { backoffMs, errorReason, isTransient, redactUrl, withRetry, type RetryPolicy } from './opensearch-client.js';
import { VECTOR_FIELD } from './opensearch-index.js';

export interface BulkOptions {
  index: string;
  /** For messages only. */
  url: string;
  concurrency: number;
  batchSize: number;
  retry: RetryPolicy;
  quiet?: boolean;
  /** Fields added to each document's source besides title and text (e.g. the text an ingest pipeline embeds). */
  extraSource?: (doc: Doc) => Record<string, unknown>;
  /** What re-running does after a failure (default: it rebuilds the index). */
  rerunHint?: string;
}

export interface BulkItemFailure {
  id: string;
  status: number;
  reason: string;
}

/** Some documents were rejected by the node (the others are indexed); `failures` lists every one. */
export class BulkItemsError extends UserError {
  constructor(
    readonly index: string,
    readonly failures: BulkItemFailure[],
    total: number,
    url: string,
    hint = '',
  ) {
    const shown = failures.slice(0, 5).map((f) => `\n  doc "${f.id}" (HTTP ${f.status}): ${f.reason}`);
    const more = failures.length > 5 ? `\n  ... and ${failures.length - 5} more` : '';
    super(`${failures.length} of ${total} documents failed to index into "${index}" at ${redactUrl(url)}:${shown.join('')}${more}${hint ? `\n${hint}` : ''}`);
  }
}

interface BulkResponseItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
}

/**
 * float32 values printed with 9 significant digits: enough to round-trip a float32 exactly, about half
 * the bytes of the 17-digit double expansion JSON would otherwise send. NaN becomes null (rejected per item).
 */
export function float32Json(row: Float32Array): number[] {
  return Array.from(row, (v) => Number(v.toPrecision(9)));
}

/** One document to index, with its vector when the index has a vector field. */
export interface BulkRow {
  doc: Doc;
  vector?: Float32Array;
}

/** A stream of rows (a corpus never held whole) and how many it yields. */
export interface BulkStream {
  count: number;
  rows: AsyncIterable<BulkRow>;
}

/** What to index: an array of docs, or a stream. */
export type BulkDocs = Doc[] | BulkStream;

function ndjson(index: string, rows: BulkRow[], extra: BulkOptions['extraSource']): string {
  let out = '';
  for (const { doc: d, vector } of rows) {
    const source: Record<string, unknown> = { title: d.title, text: d.text, ...extra?.(d) };
    if (vector) source[VECTOR_FIELD] = float32Json(vector);
    out += `${JSON.stringify({ index: { _index: index, _id: d.id } })}\n${JSON.stringify(source)}\n`;
  }
  return out;
}

async function* arrayRows(docs: Doc[]): AsyncIterable<BulkRow> {
  for (const doc of docs) yield { doc };
}

/** Vectors read per block while a corpus is zipped with them (6 MB at 384 dims). */
const VECTOR_BLOCK_ROWS = 4096;

/** A corpus's docs beside their vectors (row i with row i), read in step: one block of `blockRows` vectors at a time. */
export function corpusRows(corpus: Corpus, vectors?: PassageVectors, blockRows = VECTOR_BLOCK_ROWS): BulkStream {
  if (vectors && vectors.rows !== corpus.size) throw new Error(`${vectors.rows} vectors for ${corpus.size} docs`);
  async function* zip(): AsyncIterable<BulkRow> {
    const blocks = vectors?.blocks(blockRows)[Symbol.asyncIterator]();
    let block: Matrix | undefined;
    let at = 0;
    for await (const doc of corpus.stream()) {
      if (!blocks) {
        yield { doc };
        continue;
      }
      if (!block || at === block.rows) {
        const next = await blocks.next();
        if (next.done) throw new Error(`fewer vectors than the ${corpus.size} docs`);
        block = next.value.matrix;
        at = 0;
      }
      yield { doc, vector: matrixRow(block, at++) };
    }
  }
  return { count: corpus.size, rows: zip() };
}

function itemFailure(id: string, item: BulkResponseItem): BulkItemFailure {
  const e = item.error;
  const detail = e?.caused_by?.reason ?? e?.reason ?? 'unknown error';
  return { id, status: item.status, reason: e?.type ? `${e.type}: ${detail}` : detail };
}

const rejectedForLoad = (status: number) => status === 429 || status >= 500;

/**
 * Index the docs (each with its vector, when given) into opts.index, reading a stream only as fast as the node takes
 * it: at most `concurrency` batches are in flight, so memory holds a few batches whatever the corpus size. Throws
 * BulkItemsError when items were rejected, or a UserError naming the node when it stops answering (after retries).
 */
export async function bulkIngest(client: Client, docs: BulkDocs, opts: BulkOptions): Promise<void> {
  const total = Array.isArray(docs) ? docs.length : docs.count;
  const rows = Array.isArray(docs) ? arrayRows(docs) : docs.rows;
  const progress = startProgress({ label: `indexing ${opts.index}`, total, unit: 'docs', quiet: opts.quiet });
  const failures: BulkItemFailure[] = [];
  /** An item refused for a missing permission: the whole ingestion fails the same way, said once. */
  let denied: string | undefined;
  let fatal: unknown;
  let done = 0;

  /** One batch; items rejected for load are resent (with backoff) until the retry budget is spent. */
  const sendBatch = async (batch: BulkRow[]) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (fatal) return;
      const body = ndjson(opts.index, pending, opts.extraSource);
      const res = await withRetry(
        () => client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body }),
        opts.retry,
      );
      const items = (res.body as { items: Record<string, BulkResponseItem>[] }).items;
      const again: BulkRow[] = [];
      items.forEach((entry, j) => {
        const item = entry.index;
        if (!item.error) return;
        if (rejectedForLoad(item.status) && attempt < opts.retry.retries) again.push(pending[j]);
        else {
          failures.push(itemFailure(pending[j].doc.id, item));
          denied ??= permissionFailure(item.error);
        }
      });
      done += pending.length - again.length;
      progress.tick(pending.length - again.length);
      pending = again;
      if (pending.length > 0) await sleep(backoffMs(opts.retry, attempt));
    }
  };

  const inFlight = new Set<Promise<void>>();
  const launch = async (batch: BulkRow[]) => {
    while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    const task: Promise<void> = sendBatch(batch)
      .catch((err) => void (fatal ??= err))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  try {
    let batch: BulkRow[] = [];
    for await (const row of rows) {
      if (fatal) break;
      batch.push(row);
      if (batch.length === opts.batchSize) {
        await launch(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !fatal) await launch(batch);
  } finally {
    await Promise.all(inFlight);
    progress.stop();
  }

  if (fatal) {
    const retried = isTransient(fatal) ? ` (${opts.retry.retries} retries)` : '';
    const hint = fatal instanceof errors.ResponseError && fatal.statusCode === 413 ? ' Lower --bulk-size.' : ` ${opts.rerunHint ?? 'Re-running rebuilds the index.'}`;
    throw new UserError(
      `Bulk ingestion into "${opts.index}" at ${redactUrl(opts.url)} stopped after ${done} of ${total} documents` +
        `${retried}: ${errorReason(fatal)}.${hint}`,
    );
  }
  if (denied) throw new UserError(`Bulk ingestion into "${opts.index}" at ${redactUrl(opts.url)}: ${denied}`);
  if (failures.length > 0) throw new BulkItemsError(opts.index, failures, total, opts.url, opts.rerunHint);
}

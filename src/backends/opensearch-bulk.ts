/**
 * Bulk ingestion of documents (and their precomputed vectors) into one index: bounded concurrency,
 * backoff on 429/5xx both for whole requests and for rejected items, and a report of items that failed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { errors, type Client } from '@opensearch-project/opensearch';
import type { Doc, Matrix } from '../types.js';
import { matrixRow } from '../types.js';
import { UserError } from '../errors.js';
import { startProgress } from '../progress.js';
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
  ) {
    const shown = failures.slice(0, 5).map((f) => `\n  doc "${f.id}" (HTTP ${f.status}): ${f.reason}`);
    const more = failures.length > 5 ? `\n  ... and ${failures.length - 5} more` : '';
    super(`${failures.length} of ${total} documents failed to index into "${index}" at ${redactUrl(url)}:${shown.join('')}${more}`);
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

function ndjson(index: string, docs: Doc[], vectors: Matrix | undefined, rows: number[]): string {
  let out = '';
  for (const i of rows) {
    const d = docs[i];
    const source: Record<string, unknown> = { title: d.title, text: d.text };
    if (vectors) source[VECTOR_FIELD] = float32Json(matrixRow(vectors, i));
    out += `${JSON.stringify({ index: { _index: index, _id: d.id } })}\n${JSON.stringify(source)}\n`;
  }
  return out;
}

function itemFailure(id: string, item: BulkResponseItem): BulkItemFailure {
  const e = item.error;
  const detail = e?.caused_by?.reason ?? e?.reason ?? 'unknown error';
  return { id, status: item.status, reason: e?.type ? `${e.type}: ${detail}` : detail };
}

const rejectedForLoad = (status: number) => status === 429 || status >= 500;

/**
 * Index docs[i] (with vectors row i when given) into opts.index. Throws BulkItemsError when items were
 * rejected, or a UserError naming the node when it stops answering (after retries).
 */
export async function bulkIngest(client: Client, docs: Doc[], vectors: Matrix | undefined, opts: BulkOptions): Promise<void> {
  const progress = startProgress({ label: `indexing ${opts.index}`, total: docs.length, unit: 'docs', quiet: opts.quiet });
  const failures: BulkItemFailure[] = [];
  let fatal: unknown;
  let done = 0;

  /** One batch; items rejected for load are resent (with backoff) until the retry budget is spent. */
  const sendBatch = async (rows: number[]) => {
    let pending = rows;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (fatal) return;
      const body = ndjson(opts.index, docs, vectors, pending);
      const res = await withRetry(
        () => client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body }),
        opts.retry,
      );
      const items = (res.body as { items: Record<string, BulkResponseItem>[] }).items;
      const again: number[] = [];
      items.forEach((entry, j) => {
        const item = entry.index;
        if (!item.error) return;
        if (rejectedForLoad(item.status) && attempt < opts.retry.retries) again.push(pending[j]);
        else failures.push(itemFailure(docs[pending[j]].id, item));
      });
      done += pending.length - again.length;
      progress.tick(pending.length - again.length);
      pending = again;
      if (pending.length > 0) await sleep(backoffMs(opts.retry, attempt));
    }
  };

  const limit = pLimit(opts.concurrency);
  const tasks: Promise<void>[] = [];
  for (let start = 0; start < docs.length; start += opts.batchSize) {
    const rows = Array.from({ length: Math.min(opts.batchSize, docs.length - start) }, (_, j) => start + j);
    tasks.push(limit(() => sendBatch(rows).catch((err) => void (fatal ??= err))));
  }
  await Promise.all(tasks);
  progress.stop();

  if (fatal) {
    const retried = isTransient(fatal) ? ` (${opts.retry.retries} retries)` : '';
    const hint = fatal instanceof errors.ResponseError && fatal.statusCode === 413 ? ' Lower --bulk-size.' : ' Re-running rebuilds the index.';
    throw new UserError(
      `Bulk ingestion into "${opts.index}" at ${redactUrl(opts.url)} stopped after ${done} of ${docs.length} documents` +
        `${retried}: ${errorReason(fatal)}.${hint}`,
    );
  }
  if (failures.length > 0) throw new BulkItemsError(opts.index, failures, docs.length, opts.url);
}

/** Batched search: many queries per _msearch request, a few requests in flight. */
import pLimit from 'p-limit';
import type { Client } from '@opensearch-project/opensearch';
import type { Run } from '../types.js';
import { UserError } from '../errors.js';
import { errorReason, redactUrl, withRetry, type RetryPolicy } from './opensearch-client.js';

export interface SearchRequest {
  queryId: string;
  /** A search body (query, size, ...) for the index. */
  body: Record<string, unknown>;
}

export interface MsearchOptions {
  index: string;
  /** For messages only. */
  url: string;
  concurrency: number;
  /** Queries per _msearch request. */
  batchSize: number;
  retry: RetryPolicy;
}

interface MsearchItem {
  status?: number;
  error?: { type?: string; reason?: string; root_cause?: { reason?: string }[] };
  hits?: { hits: { _id: string; _score: number }[] };
}

export async function msearchRun(client: Client, requests: SearchRequest[], opts: MsearchOptions): Promise<Run> {
  const run: Run = new Map();
  const where = `index "${opts.index}" at ${redactUrl(opts.url)}`;
  const limit = pLimit(opts.concurrency);
  const batches: SearchRequest[][] = [];
  for (let i = 0; i < requests.length; i += opts.batchSize) batches.push(requests.slice(i, i + opts.batchSize));

  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        const body = batch.flatMap((r) => [{}, r.body]);
        let responses: MsearchItem[];
        try {
          const res = await withRetry(() => client.msearch({ index: opts.index, body }), opts.retry);
          responses = (res.body as { responses: MsearchItem[] }).responses;
        } catch (err) {
          throw new UserError(`Search on ${where} failed: ${errorReason(err)}`);
        }
        responses.forEach((item, j) => {
          const queryId = batch[j].queryId;
          if (item.error || !item.hits) {
            const reason = item.error?.root_cause?.[0]?.reason ?? item.error?.reason ?? item.error?.type ?? 'no hits returned';
            throw new UserError(`Search on ${where} failed for query "${queryId}" (HTTP ${item.status ?? '?'}): ${reason}`);
          }
          run.set(queryId, new Map(item.hits.hits.map((h) => [h._id, h._score])));
        });
      }),
    ),
  );
  return run;
}

/**
 * The top `k` hits of each query, with every doc tied with the k-th one: the node breaks score ties by its internal
 * doc order, which depends on how the index was built (bulk concurrency, segments), so a tie across the k-th hit
 * would make a rebuilt index return other docs. Each query is asked for k + 1 hits; one whose (k + 1)-th hit ties
 * the k-th is asked again for twice as many, until its hits end below the k-th score. The caller ranks them
 * (ties by doc id) and cuts at k.
 */
export async function msearchTopKWithTies(
  client: Client,
  queryIds: readonly string[],
  body: (queryId: string, size: number) => Record<string, unknown>,
  k: number,
  opts: MsearchOptions,
): Promise<Run> {
  const run: Run = new Map();
  let pending = [...queryIds];
  for (let size = k + 1; pending.length > 0; size *= 2) {
    const got = await msearchRun(client, pending.map((queryId) => ({ queryId, body: body(queryId, size) })), opts);
    pending = pending.filter((q) => {
      const hits = got.get(q) ?? new Map<string, number>();
      run.set(q, hits);
      if (hits.size < size) return false;
      // Asked again only while the last hit still ties the k-th: the tie may go on past it. (Comparing the k-th
      // with the (k + 1)-th again would double the size until the node's result window refuses the request.)
      const scores = Float32Array.from(hits.values()).sort().reverse();
      return scores[size - 1] === scores[k - 1];
    });
  }
  return run;
}

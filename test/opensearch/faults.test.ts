import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchBackend } from '../../src/backends/opensearch.js';
import { UserError } from '../../src/errors.js';
import { deleteIndexes, docs, key, NODE_URL, options, rawClient, testPrefix, unitVectors, warnIfNoNode } from './helpers.js';
import { startProxy } from './proxy.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';
import { matrixVectors } from '../../src/embed/passage-vectors.js';

/**
 * Faults between the backend and the real node, injected by a proxy in front of it: the node answering
 * 429/503 for a while, and the node vanishing in the middle of a bulk ingestion.
 */
warnIfNoNode('opensearch faults');
describe.skipIf(!NODE_URL)('OpenSearch faults (real node behind a fault-injecting proxy)', () => {
  const prefix = testPrefix();
  let client: Client;
  const corpus = docs(200);
  const vectors = unitVectors(200, 3);

  beforeAll(() => {
    client = rawClient();
  });
  afterAll(async () => {
    await deleteIndexes(client, prefix);
    await client?.close();
  });

  it('retries bulk requests rejected with 429 and 503, with backoff, and loses nothing', async () => {
    const proxy = await startProxy(NODE_URL!, { reject: { count: 3, status: 429, path: /_bulk/ } });
    const busy = await startProxy(NODE_URL!, { reject: { count: 2, status: 503, path: /_bulk/ } });
    try {
      for (const [p, arm] of [[proxy, 'r429'], [busy, 'r503']] as const) {
        const backend = await OpenSearchBackend.connect(options(prefix, { url: p.url, retry: { retries: 4, baseDelayMs: 20 } }));
        await backend.index({ key: key({ system: arm }), corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).finally(() => backend.close());
        expect((await client.count({ index: backend.indexName(key({ system: arm })) })).body.count).toBe(200);
      }
      expect(proxy.stats.rejected).toBe(3);
      expect(busy.stats.rejected).toBe(2);
    } finally {
      await proxy.close();
      await busy.close();
    }
  });

  it('resends only the items the node rejected for load', async () => {
    const proxy = await startProxy(NODE_URL!, { rejectFirstItem: { count: 3, path: /_bulk/ } });
    try {
      const backend = await OpenSearchBackend.connect(options(prefix, { url: proxy.url, retry: { retries: 4, baseDelayMs: 20 } }));
      const k = key({ system: 'item429' });
      await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).finally(() => backend.close());
      expect(proxy.stats.itemsRejected).toBe(3);
      // 20 batches of 10, plus one resend of the single rejected item per rejection.
      expect(proxy.stats.forwarded.filter((p) => p.startsWith('/_bulk')).length).toBe(23);
      expect((await client.count({ index: backend.indexName(k) })).body.count).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after the retry budget with an error naming the node and the status', async () => {
    const proxy = await startProxy(NODE_URL!, { reject: { count: 1000, status: 429, path: /_bulk/ } });
    try {
      const backend = await OpenSearchBackend.connect(options(prefix, { url: proxy.url, retry: { retries: 2, baseDelayMs: 10 } }));
      const err = await backend.index({ key: key({ system: 'always-busy' }), corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).catch((e) => e).finally(() => backend.close());
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toContain(`at ${proxy.url} stopped after 0 of 200 documents (2 retries): HTTP 429`);
    } finally {
      await proxy.close();
    }
  });

  it('a node stopping mid-ingest gives a clear error, and a re-run against a live node completes', async () => {
    // The proxy forwards 5 bulk requests (50 docs) and dies while receiving the 6th.
    const proxy = await startProxy(NODE_URL!, { dieOn: { n: 6, path: /_bulk/ } });
    const k = key({ system: 'interrupted' });
    const dying = await OpenSearchBackend.connect(options(prefix, { url: proxy.url, concurrency: 1, retry: { retries: 2, baseDelayMs: 20 } }));
    const err = await dying.index({ key: k, corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).catch((e) => e);
    await dying.close();
    await proxy.close();
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(
      new RegExp(`Bulk ingestion into "${dying.indexName(k)}" at ${proxy.url} stopped after 50 of 200 documents .*(ECONNREFUSED|socket hang up|ECONNRESET)`),
    );

    const live = await OpenSearchBackend.connect(options(prefix));
    try {
      await live.index({ key: k, corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } });
      expect((await client.count({ index: live.indexName(k) })).body.count).toBe(200);
      const run = await live.search({ key: k, queries: [{ id: 'q', text: '' }], vectors: unitVectors(1, 9), k: 5 });
      expect(run.get('q')!.length).toBe(5);
    } finally {
      await live.close();
    }
  });
});

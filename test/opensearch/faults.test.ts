import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchBackend } from '../../src/backends/opensearch.js';
import { UserError } from '../../src/errors.js';
import { deleteIndexes, docs, key, NODE_URL, options, rawClient, testPrefix, unitVectors, warnIfNoNode } from './helpers.js';
import { nth, startFaultProxy, times, type FaultProxy } from '../helpers/fault-proxy.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';
import { matrixVectors } from '../../src/embed/passage-vectors.js';

/**
 * Faults between the backend and the real node, injected by a proxy in front of it (test/helpers/fault-proxy.ts;
 * the shared node itself is never touched): the node answering 429/503 for a while, rejecting single bulk items,
 * and the node vanishing in the middle of a bulk ingestion.
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

  /** A proxy in front of the node with these faults scripted. */
  const proxyWith = async (...rules: Parameters<FaultProxy['script']>) => {
    const p = await startFaultProxy(NODE_URL!);
    p.script(...rules);
    return p;
  };

  it('retries bulk requests rejected with 429 and 503, with backoff, and loses nothing', async () => {
    const proxy = await proxyWith(...times(3, /_bulk/, { status: 429 }));
    const busy = await proxyWith(...times(2, /_bulk/, { status: 503 }));
    try {
      for (const [p, arm] of [[proxy, 'r429'], [busy, 'r503']] as const) {
        const backend = await OpenSearchBackend.connect(options(prefix, { url: p.url, retry: { retries: 4, baseDelayMs: 20 } }));
        await backend.index({ key: key({ system: arm }), corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).finally(() => backend.close());
        expect((await client.count({ index: backend.indexName(key({ system: arm })) })).body.count).toBe(200);
      }
      expect(proxy.injected).toHaveLength(3);
      expect(busy.injected).toHaveLength(2);
    } finally {
      await proxy.close();
      await busy.close();
    }
  });

  it('resends only the items the node rejected for load', async () => {
    // The first item of 3 bulk answers turned into a 429 rejection.
    const proxy = await proxyWith(
      ...times(3, /_bulk/, {
        rewrite: (body) => {
          body.errors = true;
          body.items[0].index = { ...body.items[0].index, status: 429, error: { type: 'es_rejected_execution_exception', reason: 'injected by the test proxy' } };
          return body;
        },
      }),
    );
    try {
      const backend = await OpenSearchBackend.connect(options(prefix, { url: proxy.url, retry: { retries: 4, baseDelayMs: 20 } }));
      const k = key({ system: 'item429' });
      await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(vectors), similarity: 'cosine' } }).finally(() => backend.close());
      expect(proxy.injected).toHaveLength(3);
      // 20 batches of 10, plus one resend of the single rejected item per rejection.
      expect(proxy.requests.filter((r) => r.path.startsWith('/_bulk')).length).toBe(23);
      expect((await client.count({ index: backend.indexName(k) })).body.count).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after the retry budget with an error naming the node and the status', async () => {
    const proxy = await proxyWith(...times(1000, /_bulk/, { status: 429 }));
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
    // The proxy forwards 5 bulk requests (50 docs) and dies when the 6th arrives.
    const proxy = await proxyWith(nth(6, /_bulk/, { die: true }));
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@opensearch-project/opensearch';
import { exactTopK } from '../../src/backends/exact.js';
import { OpenSearchBackend } from '../../src/backends/opensearch.js';
import { BulkItemsError } from '../../src/backends/opensearch-bulk.js';
import { rankedRunOf } from '../../src/ranking.js';
import { topKOverlap } from '../../src/eval/overlap.js';
import { UserError } from '../../src/errors.js';
import type { Matrix, Query } from '../../src/types.js';
import { DIM, deleteIndexes, docs, indexSettingsOf, key, mappingOf, describeEachLine, options, rawClient, testPrefix, unitVectors } from './helpers.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';
import { matrixVectors } from '../../src/embed/passage-vectors.js';


const cosine = (matrix: Matrix) => ({ passages: matrixVectors(matrix), similarity: 'cosine' as const });
describeEachLine('OpenSearch kNN backend (real node)', ({ url }) => {
  const prefix = testPrefix();
  let client: Client;
  let backend: OpenSearchBackend;

  const corpus = docs(60);
  const passages = unitVectors(60, 1);
  const queries: Query[] = Array.from({ length: 5 }, (_, i) => ({ id: `q${i}`, text: `query ${i}` }));
  const queryVectors = unitVectors(5, 2);

  const uuidOf = async (index: string): Promise<string> => (await indexSettingsOf(client, index)).uuid;

  beforeAll(async () => {
    client = rawClient(url);
    backend = await OpenSearchBackend.connect(options(prefix, {}, url));
  });
  afterAll(async () => {
    await backend?.close();
    await deleteIndexes(client, prefix);
    await client?.close();
  });

  it('creates an HNSW index whose mapping and _meta carry the model, system and fingerprint', async () => {
    const k = key();
    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    const index = backend.indexName(k);
    expect(index.startsWith(`${prefix}-tiny-asymmetric-`)).toBe(true);
    const mapping = await mappingOf(client, index);
    expect(mapping.properties.vector).toMatchObject({
      type: 'knn_vector',
      dimension: DIM,
      method: { name: 'hnsw', engine: 'lucene', space_type: 'cosinesimil', parameters: { m: 16, ef_construction: 100 } },
    });
    expect(mapping.properties.title.type).toBe('text');
    expect(mapping.properties.text.type).toBe('text');
    expect(mapping._meta['beir-bench'].key).toEqual(k);
    expect((await client.count({ index })).body.count).toBe(60);
  });

  it('kNN search returns the exact top k on a tiny set, scored (1 + cos) / 2', async () => {
    const run = await backend.search({ key: key(), queries, vectors: queryVectors, k: 10 });
    const exact = exactTopK(queryVectors, passages, corpus.map((d) => d.id), 10);
    expect(topKOverlap(run, rankedRunOf(queries, exact), 10).meanOverlap).toBe(1);
    for (const [i, q] of queries.entries()) {
      const hits = new Map(run.get(q.id)!.map((h) => [h.id, h.score]));
      expect(hits.size).toBe(10);
      for (const h of exact[i]) expect(hits.get(h.id)).toBeCloseTo((1 + h.score) / 2, 5);
    }
  });

  it('innerproduct space maps a dot product d >= 0 to d + 1', async () => {
    const k = key({ system: 'dot' });
    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: { passages: matrixVectors(passages), similarity: 'dot' } });
    const index = backend.indexName(k);
    const mapping = await mappingOf(client, index);
    expect(mapping.properties.vector.method.space_type).toBe('innerproduct');
    const run = await backend.search({ key: k, queries, vectors: queryVectors, k: 3 });
    const exact = exactTopK(queryVectors, passages, corpus.map((d) => d.id), 3);
    for (const [i, q] of queries.entries()) {
      const hits = new Map(run.get(q.id)!.map((h) => [h.id, h.score]));
      for (const h of exact[i]) {
        const expected = h.score >= 0 ? h.score + 1 : 1 / (1 - h.score);
        expect(hits.get(h.id)).toBeCloseTo(expected, 5);
      }
    }
  });

  it('reuses a matching index, and rebuilds on --recreate, a new fingerprint or a wrong doc count', async () => {
    const k = key({ system: 'reuse' });
    const index = backend.indexName(k);
    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    const first = await uuidOf(index);

    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    expect(await uuidOf(index)).toBe(first);

    const recreating = await OpenSearchBackend.connect(options(prefix, { recreate: true }, url));
    await recreating.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) }).finally(() => recreating.close());
    const second = await uuidOf(index);
    expect(second).not.toBe(first);

    await backend.index({ key: { ...k, fingerprint: 'fp-2' }, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    const third = await uuidOf(index);
    expect(third).not.toBe(second);
    expect((await mappingOf(client, index))._meta['beir-bench'].key.fingerprint).toBe('fp-2');

    await client.delete({ index, id: 'd0', refresh: true });
    await backend.index({ key: { ...k, fingerprint: 'fp-2' }, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    expect(await uuidOf(index)).not.toBe(third);
    expect((await client.count({ index })).body.count).toBe(60);
  });

  it('reports every rejected document by id, and a re-run with good vectors completes', async () => {
    const k = key({ system: 'bad-items' });
    const bad = unitVectors(60, 1);
    bad.data.fill(0, 7 * DIM, 8 * DIM); // d7: zero vector, which cosinesimil rejects
    bad.data[23 * DIM] = NaN; // d23: NaN is sent as null
    const err = await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(bad) }).catch((e) => e);
    expect(err).toBeInstanceOf(BulkItemsError);
    const failures = (err as BulkItemsError).failures;
    expect(failures.map((f) => f.id).sort()).toEqual(['d23', 'd7']);
    expect(failures.every((f) => f.status === 400)).toBe(true);
    expect(err.message).toContain(`2 of 60 documents failed to index into "${backend.indexName(k)}" at ${url}`);
    expect(err.message).toMatch(/doc "d7" \(HTTP 400\): .*zero vector/);
    await client.indices.refresh({ index: backend.indexName(k) });
    expect((await client.count({ index: backend.indexName(k) })).body.count).toBe(58);

    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    expect((await client.count({ index: backend.indexName(k) })).body.count).toBe(60);
  });

  it('sizes the vector field from the vectors: another dimension (another model) rebuilds the index', async () => {
    const k = key({ system: 'dims' });
    const index = backend.indexName(k);
    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(passages) });
    const first = await uuidOf(index);
    await backend.index({ key: k, corpus: memoryCorpus(corpus), vectors: cosine(unitVectors(60, 1, DIM + 1)) });
    expect(await uuidOf(index)).not.toBe(first);
    expect((await mappingOf(client, index)).properties.vector.dimension).toBe(DIM + 1);
    // Query vectors of the old dimension: the node refuses them, and the error names the index.
    await expect(backend.search({ key: k, queries, vectors: queryVectors, k: 3 })).rejects.toThrow(UserError);
  });

  it('a search on a missing index names it', async () => {
    const k = key({ system: 'never-indexed' });
    await expect(backend.search({ key: k, queries, vectors: queryVectors, k: 3 })).rejects.toThrow(
      new RegExp(`index "${backend.indexName(k)}" at .* failed .*no such index`),
    );
  });
});

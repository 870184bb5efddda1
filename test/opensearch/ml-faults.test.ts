/**
 * The opensearch-ml engine with an endpoint or a model the user brings, against the real node: the embedding
 * endpoint stops mid-ingest (each failed document reported by id; a re-run ingests only those), a model already
 * deployed in the cluster (--opensearch-model-id, told content_type), a wrong model id, an undeployed model, a
 * missing search pipeline (each one clear line). The endpoint is a scriptable fake (test/helpers/embedding-endpoint.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@opensearch-project/opensearch';
import type { MlObjects } from '../../src/backends/opensearch-ml/backend.js';
import { searchThroughPipeline } from '../../src/backends/opensearch-ml/backend.js';
import { connectorBody, registerBody } from '../../src/backends/opensearch-ml/requests.js';
import { MlApi } from '../../src/backends/opensearch-ml/ml-api.js';
import { BulkItemsError } from '../../src/backends/opensearch-bulk.js';
import type { LoadedDataset } from '../../src/datasets/loaders.js';
import { UserError } from '../../src/errors.js';
import type { RunResources } from '../../src/retrieval/resources.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { startEmbeddingEndpoint, type EmbeddingEndpoint } from '../helpers/embedding-endpoint.js';
import { hasSharedBeir } from '../helpers/shared.js';
import { NODE_URL, rawClient, testPrefix } from './helpers.js';
import { cleanUp, deleteMlObjects, E5, mlNode, mlSystem, resources, sciFactSlice } from './ml-helpers.js';

const node = await mlNode('opensearch-ml faults');
const run = Boolean(node && hasSharedBeir());

/** The error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!run)('opensearch-ml engine faults (real node)', () => {
  const prefix = testPrefix();
  let client: Client;
  let ds: LoadedDataset;
  let endpoint: EmbeddingEndpoint;
  let res: RunResources;
  const created: { models: string[]; connectors: string[] } = { models: [], connectors: [] };

  beforeAll(async () => {
    client = rawClient();
    ds = await sciFactSlice(60, 3);
    endpoint = await startEmbeddingEndpoint({ dimension: E5.dimension, model: E5.id });
    res = resources(prefix, '', null, { bulkBatchSize: 10, concurrency: 1, retry: { retries: 1, baseDelayMs: 50 } });
  }, 60_000);

  afterAll(async () => {
    await res?.close();
    await endpoint?.close();
    if (client) {
      // The remote endpoint's connector is not temporary (a user's endpoint is reused across runs): remove it here.
      const hits = ((await client.transport.request({ method: 'POST', path: '/_plugins/_ml/connectors/_search', body: { query: { match_all: {} }, size: 100 } })).body as any).hits.hits;
      for (const h of hits) if (String(h._source.actions?.[0]?.url ?? '').startsWith(endpoint.url)) created.connectors.push(h._id);
      for (const id of created.connectors) {
        const models = ((await client.transport.request({ method: 'POST', path: '/_plugins/_ml/models/_search', body: { query: { term: { 'connector_id.keyword': id } } } })).body as any).hits.hits;
        for (const m of models) created.models.push(m._id);
      }
      await deleteMlObjects(client, NODE_URL!, created);
      await cleanUp(client, prefix);
      await client.close();
    }
  }, 120_000);

  it('the endpoint stops mid-ingest: failed documents are reported by id; a re-run ingests only those', async () => {
    const system = mlSystem('model', { kind: 'remote', urls: [endpoint.url], asymmetry: 'input-type' });
    const port = Number(new URL(endpoint.url).port);
    // Stop the endpoint once it has answered 25 documents (the probe and the first batches).
    const watch = (async () => {
      while (endpoint.requests.length < 25) await sleep(20);
      await endpoint.close();
    })();
    const err = await rejection(retrieve(system, ds, 10, res));
    await watch;
    expect(err).toBeInstanceOf(BulkItemsError);
    const failures = (err as BulkItemsError).failures;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(ds.corpus.size);
    expect(err.message).toMatch(/documents failed to index into "beir-bench-test-[0-9a-f]+-ml-scifact-/);
    expect(err.message).toContain(`doc "${failures[0].id}"`);
    expect(err.message).toMatch(/Re-running ingests only the missing documents/);

    // The endpoint comes back where it was: the same connector, the same index, only the failed docs sent.
    endpoint = await startEmbeddingEndpoint({ dimension: E5.dimension, model: E5.id, port });
    const again = await retrieve(system, ds, 10, res);
    const ml = again.engine.ml as MlObjects;
    expect(ml.alreadyIndexed).toBe(ds.corpus.size - failures.length);
    expect(ml.ingested).toBe(failures.length);
    expect(endpoint.requests.filter((r) => r.body.input_type === 'passage').map((r) => r.inputs[0]).length).toBeGreaterThanOrEqual(failures.length);
    expect((await client.count({ index: ml.index })).body.count).toBe(ds.corpus.size);
    expect([...again.hits.values()].every((hits) => hits.length === 10)).toBe(true);

    // A search pipeline that does not exist: one clear line.
    const missing = await rejection(
      searchThroughPipeline(client, { index: ml.index, pipeline: `${prefix}-no-such-pipeline`, url: 'http://127.0.0.1:9200', retry: { retries: 0, baseDelayMs: 1 } }, ds.queries[0]),
    );
    expect(missing).toBeInstanceOf(UserError);
    expect(missing.message).toMatch(new RegExp(`^Search pipeline "${prefix}-no-such-pipeline" does not exist at http://127.0.0.1:9200 \\(HTTP 400: Pipeline .* is not defined\\); re-running the bench recreates it$`));
  }, 600_000);

  it('--opensearch-model-id: a model already deployed in the cluster embeds both sides, told content_type passage / query', async () => {
    const api = new MlApi(client, { url: 'http://127.0.0.1:9200', taskTimeoutMs: 120_000 });
    const { body, fingerprint } = connectorBody({ url: `${endpoint.url}/embeddings`, model: E5.id, identity: 'test' }, { inputType: true, prefix: false });
    const connectorId = await api.createConnector({ ...body, name: `${prefix}-users-model` });
    created.connectors.push(connectorId);
    const modelId = await api.registerAndDeploy(registerBody(connectorId, fingerprint, `${prefix}-users-model`));
    created.models.push(modelId);
    const seen = endpoint.requests.length;
    const out = await retrieve(mlSystem('model', { kind: 'opensearch-model', modelId }), ds, 10, res);
    const ml = out.engine.ml as MlObjects;
    expect(ml.model).toMatchObject({ id: modelId, kind: 'remote', source: 'cluster' });
    const types = endpoint.requests.slice(seen).map((r) => r.body.input_type);
    expect(types.filter((t) => t === 'passage').length).toBeGreaterThanOrEqual(ds.corpus.size);
    expect(types.filter((t) => t === 'query').length).toBe(ds.queries.length);
    expect([...out.hits.values()].every((hits) => hits.length === 10)).toBe(true);
    // Never the harness's to delete: still deployed after the run's objects are in use.
    expect((await api.getModel(modelId)).state).toBe('DEPLOYED');
  }, 300_000);

  it('a wrong model id: one clear line', async () => {
    const err = await rejection(retrieve(mlSystem('model', { kind: 'opensearch-model', modelId: 'no-such-model-id' }), ds, 10, res));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^OpenSearch at \S+ has no ml-commons model "no-such-model-id" \(GET \/_plugins\/_ml\/models\/no-such-model-id: 404\); check --opensearch-model-id$/);
  }, 60_000);

  it('an undeployed model: one clear line saying how to deploy it', async () => {
    const { body } = connectorBody({ url: `${endpoint.url}/embeddings`, model: E5.id, identity: 'test' }, { inputType: true, prefix: false });
    const connectorId = ((await client.transport.request({ method: 'POST', path: '/_plugins/_ml/connectors/_create', body: { ...body, name: `${prefix}-undeployed` } })).body as any).connector_id as string;
    created.connectors.push(connectorId);
    const task = ((await client.transport.request({ method: 'POST', path: '/_plugins/_ml/models/_register', body: { name: `${prefix}-undeployed`, function_name: 'remote', connector_id: connectorId } })).body as any).task_id as string;
    let modelId: string | undefined;
    for (let i = 0; i < 120 && !modelId; i++) {
      const t = (await client.transport.request({ method: 'GET', path: `/_plugins/_ml/tasks/${task}` })).body as any;
      if (t.state === 'COMPLETED') modelId = t.model_id;
      else await sleep(250);
    }
    expect(modelId).toBeDefined();
    created.models.push(modelId!);
    const err = await rejection(retrieve(mlSystem('model', { kind: 'opensearch-model', modelId: modelId! }), ds, 10, res));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`^ml-commons model "${modelId}" at \\S+ is [A-Z_]+, not DEPLOYED: deploy it first \\(POST /_plugins/_ml/models/${modelId}/_deploy\\)$`));
  }, 120_000);
});

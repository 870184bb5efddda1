/**
 * The opensearch-ml engine against the real node with ml-commons, on a SciFact slice and the real e5-small-v2:
 * the objects it creates, the vectors the node computes (equal to the client's for both arms), and search through
 * the search pipeline (the same top 10 as client-vector kNN on the same index settings).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@opensearch-project/opensearch';
import type { MlObjects } from '../../src/backends/opensearch-ml/backend.js';
import { serverPassageVectors, serverQueryVectors } from '../../src/backends/opensearch-ml/vectors.js';
import type { LoadedDataset } from '../../src/datasets/loaders.js';
import { passageText, queryText } from '../../src/models/input-text.js';
import type { RunResources } from '../../src/retrieval/resources.js';
import { retrieve } from '../../src/retrieval/retrieve.js';
import { resolvePrefixes, type NamedPolicy } from '../../src/systems/system.js';
import type { Doc } from '../../src/types.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir } from '../helpers/shared.js';
import { NODE_URL, testPrefix } from './helpers.js';
import { cleanUp, cosine, E5, mlNode, mlSystem, resources, sciFactSlice } from './ml-helpers.js';

const modelsDir = warnIfNoModels('opensearch-ml engine');
/** The single node, and the two-node cluster (data node + ML node) with two shards per index. */
const CLUSTERS = [
  { name: 'single node', url: NODE_URL, variable: 'OPENSEARCH_URL', shards: 1, policies: ['none', 'model'] as NamedPolicy[] },
  { name: 'two-node cluster, 2 shards', url: process.env.OPENSEARCH_CLUSTER2_URL, variable: 'OPENSEARCH_CLUSTER2_URL', shards: 2, policies: ['model'] as NamedPolicy[] },
];

for (const cluster of CLUSTERS) {
const node = await mlNode(`opensearch-ml engine, ${cluster.name}`, cluster.url, cluster.variable);
const run = Boolean(node && modelsDir && hasSharedBeir());

describe.skipIf(!run)(`opensearch-ml engine on a SciFact slice (${cluster.name}, real e5-small-v2)`, () => {
  const prefix = testPrefix();
  let client: Client;
  let ds: LoadedDataset;
  let docs: Doc[];
  let cacheDir: string;
  let res: RunResources;

  beforeAll(async () => {
    client = new Client({ node: cluster.url });
    // 50 docs: at ef_search 100 HNSW visits every doc, so kNN is exact and two indexes of the same vectors agree.
    ds = await sciFactSlice(50, 10);
    docs = [];
    for await (const d of ds.corpus.stream()) docs.push(d);
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-ml-'));
    res = resources(prefix, modelsDir!, cacheDir, { url: cluster.url, shards: cluster.shards });
  }, 120_000);

  afterAll(async () => {
    await res?.close();
    if (client) {
      await cleanUp(client, prefix);
      // RunResources.close deleted the connectors and models to its loopback server: none of this run is left.
      await client.close();
    }
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }, 120_000);

  for (const policy of cluster.policies) {
    const arm = policy === 'model' ? 'asymmetric' : 'symmetric';
    it(`${arm}: creates connector, model, pipelines and index; the node's vectors equal the client's; same top 10 as client-vector kNN`, async () => {
      const system = mlSystem(policy);
      const server = await retrieve(system, ds, 10, res);
      const ml = server.engine.ml as MlObjects;

      // Every object exists on the node, named and tagged.
      expect(ml.model.source).toBe('created');
      const model = (await client.transport.request({ method: 'GET', path: `/_plugins/_ml/models/${ml.model.id}` })).body as Record<string, any>;
      expect(model.model_state).toBe('DEPLOYED');
      expect(model.name).toMatch(/^beir-bench-model-/);
      // The model runs on ML nodes only (on the two-node cluster: the ML node, not the data node).
      const nodes = ((await client.transport.request({ method: 'GET', path: '/_nodes' })).body as any).nodes as Record<string, { roles: string[] }>;
      expect(model.planning_worker_nodes.length).toBeGreaterThan(0);
      for (const id of model.planning_worker_nodes) expect(nodes[id].roles).toContain('ml');
      if (cluster.shards > 1) for (const id of model.planning_worker_nodes) expect(nodes[id].roles).not.toContain('data');
      const connector = (await client.transport.request({ method: 'GET', path: `/_plugins/_ml/connectors/${ml.model.connectorId}` })).body as Record<string, any>;
      expect(connector.description).toMatch(/^beir-bench fingerprint=/);
      expect(connector.actions[0].request_body.includes('input_type')).toBe(policy === 'model');
      const ingest = (await client.transport.request({ method: 'GET', path: `/_ingest/pipeline/${ml.ingestPipeline}` })).body as Record<string, any>;
      const ingestProcessor = ingest[ml.ingestPipeline].processors[0].ml_inference;
      expect(ingestProcessor.model_id).toBe(ml.model.id);
      expect(ingestProcessor.model_config?.content_type).toBe(policy === 'model' ? 'passage' : undefined);
      const search = (await client.transport.request({ method: 'GET', path: `/_search/pipeline/${ml.searchPipeline}` })).body as Record<string, any>;
      const searchProcessor = search[ml.searchPipeline].request_processors[0].ml_inference;
      expect(searchProcessor.model_config?.content_type).toBe(policy === 'model' ? 'query' : undefined);
      expect(searchProcessor.query_template).toContain('"knn"');
      const settings = (await client.indices.getSettings({ index: ml.index })).body[ml.index]?.settings?.index as Record<string, any>;
      expect(settings.default_pipeline).toBe(ml.ingestPipeline);
      expect(Number(settings.number_of_shards)).toBe(cluster.shards);
      expect((await client.count({ index: ml.index })).body.count).toBe(docs.length);
      expect(ml.ingested).toBe(docs.length);

      // The vectors the node produced, against the reference encoder with the arm's prefixes.
      const prefixes = resolvePrefixes(E5, policy);
      const encoder = await res.encoderFor(system, null);
      const clientPassages = await encoder.encode(docs.map((d) => passageText(d, prefixes.passage)));
      const serverPassages = await serverPassageVectors(client, ml.index, docs.map((d) => d.id));
      expect(serverPassages.size).toBe(docs.length);
      const passageCosines = docs.map((d, i) => cosine(serverPassages.get(d.id)!, clientPassages.data.subarray(i * E5.dimension, (i + 1) * E5.dimension)));
      expect(Math.min(...passageCosines)).toBeGreaterThanOrEqual(0.9999);
      const queries = ds.queries.slice(0, 5);
      const clientQueries = await encoder.encode(queries.map((q) => queryText(q, prefixes.query)));
      const serverQueries = await serverQueryVectors(client, ml.model, ml.sides.query, queries.map((q) => q.text));
      const queryCosines = serverQueries.map((v, i) => cosine(v, clientQueries.data.subarray(i * E5.dimension, (i + 1) * E5.dimension)));
      expect(Math.min(...queryCosines)).toBeGreaterThanOrEqual(0.9999);

      // Client-side vectors in a client-vector index with the same HNSW settings: the same top 10, in the same order.
      const clientRun = await retrieve(mlSystem(policy, { kind: 'local', dtype: 'fp32' }, 'opensearch-knn'), ds, 10, res);
      for (const q of ds.queries) {
        expect(server.hits.get(q.id)!.map((h) => h.id), q.id).toEqual(clientRun.hits.get(q.id)!.map((h) => h.id));
      }

      // A re-run reuses the index (nothing ingested again).
      const again = await retrieve(system, ds, 10, res);
      expect((again.engine.ml as MlObjects).ingested).toBe(0);
      expect((again.engine.ml as MlObjects).alreadyIndexed).toBe(docs.length);
    }, 600_000);
  }
});
}

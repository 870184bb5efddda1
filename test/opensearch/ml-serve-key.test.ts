/**
 * The loopback `beir-bench serve` the opensearch-ml engine starts has a key of its own, and the engine hands it to
 * the ml-commons connector through its `credential`: against the real node, the node's calls carry it (the server
 * answers only those), calls without it or with another are refused, and the key is in no results.json, log or error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MlApi } from '../../src/backends/opensearch-ml/ml-api.js';
import { connectorBody, registerBody } from '../../src/backends/opensearch-ml/requests.js';
import { predictBody, predictedVector } from '../../src/backends/opensearch-ml/vectors.js';
import type { BenchConfig } from '../../src/bench/config.js';
import { runBench } from '../../src/bench/run-bench.js';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { buildResults, environment } from '../../src/results/build-results.js';
import { checkResults } from '../../src/results/read-results.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/serve/loopback.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';
import { NODE_URL, options, testPrefix } from './helpers.js';
import { cleanUp, deleteMlObjects, E5, mlNode, mlSystem } from './ml-helpers.js';

// Every key the loopback servers are given, as generated (the real generator, watched), so the test can look for it.
const keys = vi.hoisted(() => [] as string[]);
vi.mock('../../src/serve/api-key.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/serve/api-key.js')>();
  return {
    ...real,
    newApiKey: () => {
      const key = real.newApiKey();
      keys.push(key);
      return key;
    },
  };
});

const modelsDir = warnIfNoModels('the loopback serve key through ml-commons');
const node = await mlNode('the loopback serve key through ml-commons');
const run = Boolean(node && modelsDir && hasSharedBeir());

describe.skipIf(!run)('opensearch-ml: the connector carries the loopback serve key (real node, real e5-small-v2)', () => {
  const prefix = testPrefix();
  let client: Client;
  let api: MlApi;
  let cacheDir: string;
  let encoder: LocalEncoder;
  let server: LoopbackServer;
  const created = { models: [] as string[], connectors: [] as string[] };

  beforeAll(async () => {
    client = new Client({ node: NODE_URL });
    api = new MlApi(client, { url: NODE_URL!, taskTimeoutMs: 120_000 });
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-ml-key-'));
    encoder = await loadEncoder({ model: E5, dtype: 'fp32', modelsDir: modelsDir!, threads: 1 });
    server = await startLoopbackServer(encoder, E5, null);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await encoder?.dispose();
    if (client) {
      await cleanUp(client, prefix);
      await deleteMlObjects(client, NODE_URL!, created);
      await client.close();
    }
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }, 120_000);

  /** A connector to the loopback server with this credential, and a deployed model over it. */
  async function modelWith(name: string, apiKey: string | undefined): Promise<string> {
    const { body, fingerprint } = connectorBody({ url: `${server.url}/embeddings`, model: E5.id, apiKey, identity: 'test', temporary: true }, { inputType: true, prefix: false });
    const connectorId = await api.createConnector({ ...body, name: `${prefix}-${name}` });
    created.connectors.push(connectorId);
    const modelId = await api.registerAndDeploy(registerBody(connectorId, fingerprint, `${prefix}-${name}`));
    created.models.push(modelId);
    return modelId;
  }
  const predict = (modelId: string) => api.predict(modelId, predictBody('remote', { contentType: 'passage', prefix: '' }, 'Vaccines train the immune system.'));

  it('the node\'s calls carry the key; without it, or with another, the server refuses them', async () => {
    const key = server.apiKey;
    expect(keys).toContain(key);
    // The server itself: no key, another key -> 401.
    for (const authorization of [undefined, 'Bearer not-the-key', `Bearer ${key}`]) {
      const r = await fetch(`${server.url}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ input: ['x'] }) });
      expect(r.status).toBe(authorization === `Bearer ${key}` ? 200 : 401);
    }

    const keyed = await modelWith('keyed', key);
    expect(predictedVector(await predict(keyed), 'keyed model')).toHaveLength(E5.dimension);

    for (const [name, apiKey] of [['keyless', undefined], ['other-key', 'not-the-key']] as const) {
      const err = (await predict(await modelWith(name, apiKey)).catch((e: unknown) => e)) as Error;
      expect(err, name).toBeInstanceOf(Error);
      expect(err.message).toMatch(/^Prediction by ml-commons model "[^"]+" at \S+ failed: HTTP 401: .*invalid_api_key/);
      expect(err.message).not.toContain(key);
    }
  }, 300_000);

  it('a bench run through the loopback serve: scores, and the key in no results.json and no log line', async () => {
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, 'write').mockImplementation(function (this: unknown, chunk: unknown) {
        written.push(String(chunk));
        return true;
      } as never);
    const spies = [capture(process.stderr), capture(process.stdout)];
    const before = keys.length;
    let outcome: Awaited<ReturnType<typeof runBench>>;
    try {
      const config: BenchConfig = {
        datasets: ['scifact'], split: 'test', systems: [mlSystem('model')], k: 10, metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true, dataDir: SHARED_BEIR,
        datasetCacheDir: join(cacheDir, 'datasets'), modelsDir: modelsDir!, embeddingCacheDir: cacheDir, maxDocs: 30, maxQueries: 5, outDir: cacheDir,
        seed: 42, permutations: 100, auditPassages: 0, engineOptions: { opensearch: options(prefix, { bulkBatchSize: 25, concurrency: 1, quiet: false }) }, quiet: false,
      };
      outcome = await runBench(config);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const runKeys = keys.slice(before);
    expect(runKeys).toHaveLength(1);
    const results = await checkResults(JSON.parse(JSON.stringify(buildResults(outcome, 'ml-serve-key', await environment()))), 'results.json');
    const system = results.datasets[0].systems[0];
    expect(system.perQuery['ndcg_cut.10'] ?? Object.values(system.perQuery)[0]).toBeDefined();
    expect(system.mean['ndcg_cut.10']).toBeGreaterThan(0);
    expect(written.join('')).toContain('created ml-commons connector');
    expect(JSON.stringify(results)).not.toContain(runKeys[0]);
    expect(written.join('')).not.toContain(runKeys[0]);
  }, 600_000);
});

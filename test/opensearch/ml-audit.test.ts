/**
 * The deployment audit in the bench loop, through the real node's ml-commons pipelines: a correct deployment
 * (the harness's own loopback server) passes, and a deployment whose endpoint swaps the prefixes
 * (`serve --simulate swapped-prefixes`, real e5-small-v2) is caught from the vectors OpenSearch stored and
 * predicted, named, and its NDCG@10 loss against the client-embedded run is recorded in results.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MlObjects } from '../../src/backends/opensearch-ml/backend.js';
import type { BenchConfig } from '../../src/bench/config.js';
import { runBench } from '../../src/bench/run-bench.js';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { buildResults, environment } from '../../src/results/build-results.js';
import { checkResults } from '../../src/results/read-results.js';
import { buildServer } from '../../src/serve/server.js';
import { parseSimulation, simulatedEncoder } from '../../src/serve/simulate.js';
import type { DenseSystem } from '../../src/systems/system.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';
import { NODE_URL, options, testPrefix } from './helpers.js';
import { cleanUp, deleteMlObjects, E5, mlNode, mlSystem } from './ml-helpers.js';

const modelsDir = warnIfNoModels('deployment audit through ml-commons');
const node = await mlNode('deployment audit through ml-commons');
const run = Boolean(node && modelsDir && hasSharedBeir());

describe.skipIf(!run)('deployment audit of opensearch-ml systems in the bench loop (real node, real e5-small-v2, SciFact slice)', () => {
  const prefix = testPrefix();
  let client: Client;
  let cacheDir: string;
  let encoder: LocalEncoder;
  let broken: { url: string; close(): Promise<unknown> };

  beforeAll(async () => {
    client = new Client({ node: options(prefix).url });
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-ml-audit-'));
    encoder = await loadEncoder({ model: E5, dtype: 'fp32', modelsDir: modelsDir!, threads: 2 });
    const simulate = parseSimulation('swapped-prefixes', E5);
    const app = buildServer({ encoder: simulatedEncoder(encoder, simulate), model: E5, cache: null, maxQueue: 1000, maxInputs: 2048, maxBytes: 8 * 2 ** 20, simulate });
    broken = { url: `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`, close: () => app.close() };
  }, 120_000);

  const createdModels: MlObjects['model'][] = [];
  afterAll(async () => {
    await broken?.close();
    await encoder?.dispose();
    if (client) {
      await cleanUp(client, prefix);
      // Connectors and models to a user's endpoint outlive a run by design; these are the test's own.
      await deleteMlObjects(client, NODE_URL!, {
        models: createdModels.map((m) => m.id),
        connectors: createdModels.flatMap((m) => (m.connectorId ? [m.connectorId] : [])),
      });
      await client.close();
    }
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }, 120_000);

  const config = (systems: DenseSystem[]): BenchConfig => ({
    datasets: ['scifact'], split: 'test', systems, k: 10, metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true, dataDir: SHARED_BEIR,
    datasetCacheDir: join(cacheDir, 'datasets'), modelsDir: modelsDir!, embeddingCacheDir: cacheDir, maxDocs: 50, maxQueries: 10, outDir: cacheDir,
    seed: 42, permutations: 100, auditPassages: 20, engineOptions: { opensearch: options(prefix, { bulkBatchSize: 25, concurrency: 1 }) }, quiet: true,
  });

  it('a correct deployment passes; a deployment that swaps the prefixes is named, with its NDCG@10 loss, in results.json', async () => {
    const correct = mlSystem('model');
    const swapped: DenseSystem = { ...mlSystem('model', { kind: 'remote', urls: [broken.url], asymmetry: 'input-type' }), id: 'e5-swapped', label: 'swapped' };
    const outcome = await runBench(config([correct, swapped]));
    const [ok, bad] = outcome.datasets[0].systems;
    createdModels.push((bad.engine.ml as MlObjects).model);

    expect(ok.audit!.verdict).toBe('match');
    expect(ok.audit!.cosine.passages.min).toBeGreaterThanOrEqual(0.9999);
    expect(ok.audit!.sample).toEqual({ passages: 20, queries: 10, seed: 42 });
    expect(Math.abs(ok.audit!.runs!.delta)).toBeLessThan(0.02);

    expect(bad.audit!.verdict).toBe('mismatch');
    expect(bad.audit!.diagnosis!.match).toBe('exact');
    expect(bad.audit!.diagnosis!.causes.map((c) => c.id)).toEqual(['prefixes-swapped']);
    expect(bad.audit!.runs!.reference).toBe('e5-swapped.client');
    expect(bad.audit!.runs!.client).toBeCloseTo(ok.audit!.runs!.client, 10);

    const results = await checkResults(JSON.parse(JSON.stringify(buildResults(outcome, 'ml-audit', await environment()))), 'results.json');
    expect(results.datasets[0].systems.map((s) => s.audit?.verdict)).toEqual(['match', 'mismatch']);
  }, 600_000);
});

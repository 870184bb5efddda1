/** Shared setup of the opensearch-ml integration tests: the gate (node + ml-commons), a SciFact slice, resources, cleanup. */
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { loadDataset, type LoadedDataset } from '../../src/datasets/loaders.js';
import { MlApi } from '../../src/backends/opensearch-ml/ml-api.js';
import { MemoryBudget } from '../../src/memory-budget.js';
import { getModel } from '../../src/models/registry.js';
import { RunResources } from '../../src/retrieval/resources.js';
import type { DenseSystem, EncoderSpec, NamedPolicy } from '../../src/systems/system.js';
import { SHARED_BEIR } from '../helpers/shared.js';
import { NODE_URL, options } from './helpers.js';

/** The plugins of the node under test, or null without a node; printed so a log shows what was tested. */
export async function mlNode(suite: string, url = NODE_URL, variable = 'OPENSEARCH_URL'): Promise<{ version: string; plugins: string[]; nodes: string } | null> {
  if (!url) {
    console.warn(`[${suite}] skipped: ${variable} is not set (scripts/opensearch-local.sh start; see docs/OPENSEARCH.md)`);
    return null;
  }
  const client = new Client({ node: url });
  try {
    const version = (await client.info()).body.version.number as string;
    const plugins = ((await client.cat.plugins({ format: 'json' })).body as { component: string }[]).map((p) => p.component);
    const nodes = ((await client.cat.nodes({ format: 'json', h: 'name,node.roles' } as any)).body as Record<string, string>[]).map((n) => `${n.name} [${n['node.roles']}]`).join(', ');
    console.log(`[${suite}] OpenSearch ${version} at ${url}; nodes: ${nodes}; plugins: ${[...new Set(plugins)].sort().join(', ')}`);
    if (!plugins.includes('opensearch-ml')) {
      console.warn(`[${suite}] skipped: the node has no opensearch-ml plugin (scripts/opensearch-local.sh installs it)`);
      return null;
    }
    return { version, plugins, nodes };
  } finally {
    await client.close();
  }
}

export const E5 = getModel('intfloat/e5-small-v2');

export function mlSystem(policy: NamedPolicy, encoder: EncoderSpec = { kind: 'local', dtype: 'fp32' }, engine: DenseSystem['engine'] = 'opensearch-ml'): DenseSystem {
  return { kind: 'dense', id: `e5-small-v2.${policy === 'model' ? 'asymmetric' : 'symmetric'}`, label: policy, model: E5, prefix: policy, encoder, engine };
}

export function sciFactSlice(maxDocs: number, maxQueries: number): Promise<LoadedDataset> {
  return loadDataset('scifact', join(SHARED_BEIR, 'scifact'), { split: 'test', maxDocs, maxQueries });
}

export function resources(prefix: string, modelsDir: string, cacheDir: string | null, overrides: Parameters<typeof options>[1] = {}): RunResources {
  return new RunResources({
    modelsDir,
    embeddingCacheDir: cacheDir,
    engineOptions: { opensearch: options(prefix, { bulkBatchSize: 25, ...overrides }) },
    memory: new MemoryBudget(4 * 2 ** 30, 'test'),
    quiet: true,
  });
}

/** Delete the indexes and pipelines of a test prefix (connectors/models to loopback servers go at RunResources.close). */
export async function cleanUp(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  for (const kind of ['_ingest/pipeline', '_search/pipeline']) {
    const all = (await client.transport.request({ method: 'GET', path: `/${kind}` }).catch(() => ({ body: {} }))).body as Record<string, unknown>;
    for (const id of Object.keys(all)) if (id.startsWith(prefix)) await client.transport.request({ method: 'DELETE', path: `/${kind}/${id}` }).catch(() => undefined);
  }
}

/** Delete ml-commons models (undeployed first, with the group ml-commons made for each) and connectors, as the engine does. */
export async function deleteMlObjects(client: Client, url: string, objects: { models: string[]; connectors: string[] }): Promise<void> {
  const api = new MlApi(client, { url, taskTimeoutMs: 60_000 });
  for (const id of objects.models) await api.deleteModel(id);
  for (const id of objects.connectors) await api.deleteConnector(id);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Shared setup of the OpenSearch integration tests: the node gate, tiny deterministic data, cleanup. */
import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { describe, it } from 'vitest';
import type { IndexKey } from '../../src/backends/index-key.js';
import type { OpenSearchOptions } from '../../src/backends/opensearch-client.js';
import { Prng } from '../../src/eval/prng.js';
import type { Doc, Matrix } from '../../src/types.js';

/** The real node under test; without it the integration suites are skipped (visibly). */
export const NODE_URL = process.env.OPENSEARCH_URL;

export function warnIfNoNode(suite: string): void {
  if (!NODE_URL) {
    console.warn(`[${suite}] skipped: OPENSEARCH_URL is not set (start a node with scripts/opensearch-local.sh start and set OPENSEARCH_URL=http://127.0.0.1:9200)`);
  }
}

/** One OpenSearch line the version-independent suites run against, and the variable that names its URL. */
export interface NodeLine {
  variable: 'OPENSEARCH_URL' | 'OPENSEARCH3_URL';
  url: string;
}

/**
 * The lines configured here: OPENSEARCH_URL (2.19.1 in CI) and OPENSEARCH3_URL (3.x in CI, started with
 * BEIR_BENCH_OPENSEARCH_VERSION=3). Each test file reuses the nodes; only its indexes are its own.
 */
export const NODE_LINES: NodeLine[] = (['OPENSEARCH_URL', 'OPENSEARCH3_URL'] as const)
  .filter((variable) => process.env[variable])
  .map((variable) => ({ variable, url: process.env[variable]! }));

/**
 * One describe block per configured line, titled with its variable; none configured: one skipped block, with
 * the warning saying how to start a node.
 */
export function describeEachLine(title: string, body: (line: NodeLine) => void): void {
  if (NODE_LINES.length === 0) {
    warnIfNoNode(title);
    describe.skip(title, () => it('needs OPENSEARCH_URL and/or OPENSEARCH3_URL', () => {}));
    return;
  }
  if (!process.env.OPENSEARCH3_URL) console.warn(`[${title}] 3.x line skipped: OPENSEARCH3_URL is not set (BEIR_BENCH_OPENSEARCH_VERSION=3 BEIR_BENCH_OPENSEARCH_PORT=9230 scripts/opensearch-local.sh start)`);
  for (const line of NODE_LINES) describe(`${title} [${line.variable}]`, () => body(line));
}

export const DIM = 8;

/** A unique index prefix per test file run, so parallel runs and leftovers never collide. */
export function testPrefix(): string {
  return `beir-bench-test-${randomBytes(4).toString('hex')}`;
}

export function options(prefix: string, overrides: Partial<OpenSearchOptions> = {}, url = NODE_URL): OpenSearchOptions {
  return {
    url: url ?? 'http://127.0.0.1:9200',
    engine: 'lucene',
    m: 16,
    efConstruction: 100,
    efSearch: 100,
    recreate: false,
    concurrency: 2,
    bulkBatchSize: 10,
    indexPrefix: prefix,
    quiet: true,
    retry: { retries: 2, baseDelayMs: 50 },
    ...overrides,
  };
}

export function key(overrides: Partial<IndexKey> = {}): IndexKey {
  return { dataset: 'tiny', model: 'test/synthetic-8', system: 'asymmetric', docSet: 'docs-1', fingerprint: 'fp-1', ...overrides };
}

export function docs(n: number): Doc[] {
  return Array.from({ length: n }, (_, i) => ({ id: `d${i}`, title: `title ${i}`, text: `synthetic passage number ${i}` }));
}

/** n deterministic unit vectors of dimension dim (seeded), as the embedding cache would hand them over. */
export function unitVectors(n: number, seed: number, dim = DIM): Matrix {
  const prng = new Prng(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = prng.nextUint32() / 2 ** 31 - 1;
      data[i * dim + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < dim; j++) data[i * dim + j] /= Math.sqrt(norm);
  }
  return { data, rows: n, dim };
}

/** A raw client to inspect and clean up what the backend created. */
export function rawClient(url = NODE_URL): Client {
  return new Client({ node: url ?? 'http://127.0.0.1:9200' });
}

export async function deleteIndexes(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
}

/** Loose JSON: the client's mapping types do not know knn_vector or _meta contents. */
type Json = Record<string, any>;

export async function mappingOf(client: Client, index: string): Promise<Json> {
  return (await client.indices.getMapping({ index })).body[index].mappings as Json;
}

export async function indexSettingsOf(client: Client, index: string): Promise<Json> {
  return (await client.indices.getSettings({ index })).body[index].settings?.index as Json;
}

/**
 * OpenSearch's hybrid query (neural-search plugin) against the project's own fusion: the cluster's fused scores
 * must be what src/fusion/fuse.ts computes from the cluster's own sub-query runs, and `bench` must agree with the
 * embedded fusion on a SciFact slice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HybridSearch } from '../../src/backends/backend.js';
import { OpenSearchBackend } from '../../src/backends/opensearch.js';
import { hybridPipelineName } from '../../src/backends/opensearch-hybrid.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';
import { matrixVectors } from '../../src/embed/passage-vectors.js';
import { fuseLists, type FusionSpec } from '../../src/fusion/fuse.js';
import { checkResults } from '../../src/results/read-results.js';
import type { Doc, Matrix, Query } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';
import { deleteIndexes, key, mappingOf, NODE_URL, options, rawClient, testPrefix, unitVectors, warnIfNoNode } from './helpers.js';

const words = 'protein cell gene expression tumor growth factor receptor signal pathway mouse model kinase binding'.split(' ');
/** 30 docs of distinct lengths and word mixes, so BM25 scores rarely tie (a tie would let the engines order it differently). */
function corpus(): Doc[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `doc-${String(i).padStart(2, '0')}`,
    title: `Study ${i}`,
    text: Array.from({ length: 4 + i }, (_, j) => words[(i * 5 + j * (j + 1)) % words.length]).join(' '),
  }));
}
const queries: Query[] = [
  { id: 'q1', text: 'tumor growth factor' },
  { id: 'q2', text: 'kinase binding protein' },
  { id: 'q3', text: 'zzz nothing' }, // no BM25 hit: the dense sub-query alone
];

async function deletePipelines(client: Client, prefix: string): Promise<void> {
  const all = (await client.transport.request({ method: 'GET', path: '/_search/pipeline' }).catch(() => ({ body: {} }))).body as Record<string, unknown>;
  for (const id of Object.keys(all).filter((p) => p.startsWith(`${prefix}-`))) {
    await client.transport.request({ method: 'DELETE', path: `/_search/pipeline/${id}` });
  }
}

warnIfNoNode('opensearch hybrid');
describe.skipIf(!NODE_URL)('OpenSearch hybrid query (real node, neural-search)', () => {
  const prefix = testPrefix();
  const docs = corpus();
  const passages: Matrix = unitVectors(docs.length, 7);
  const queryVectors: Matrix = unitVectors(queries.length, 8);
  const hybridKey = key({ system: 'hybrid.test', dataset: 'tiny-hybrid' });
  let client: Client;
  let backend: OpenSearchBackend;

  beforeAll(async () => {
    client = rawClient();
    backend = await OpenSearchBackend.connect(options(prefix));
    await backend.index({ key: hybridKey, corpus: memoryCorpus(docs), vectors: { passages: matrixVectors(passages), similarity: 'cosine' }, lexical: true });
  });
  afterAll(async () => {
    await backend?.close();
    await deleteIndexes(client, prefix);
    await deletePipelines(client, prefix);
    await client?.close();
  });

  it('one index holds the text for BM25 and the vectors for HNSW', async () => {
    const mapping = await mappingOf(client, backend.indexName(hybridKey));
    expect(mapping.properties.title).toEqual({ type: 'text', copy_to: ['contents'] });
    expect(mapping.properties.contents).toEqual({ type: 'text' });
    expect(mapping.properties.vector).toMatchObject({ type: 'knn_vector', dimension: 8 });
  });

  const fusions: [string, FusionSpec][] = [
    ['RRF k=60 (score-ranker-processor)', { method: 'rrf', rankConstant: 60 }],
    ['min-max, arithmetic mean, 0.3/0.7', { method: 'linear', normalization: 'min-max', combination: 'arithmetic', weights: [0.3, 0.7] }],
    ['l2, harmonic mean, 0.5/0.5', { method: 'linear', normalization: 'l2', combination: 'harmonic', weights: [0.5, 0.5] }],
    ['min-max, geometric mean, 0.8/0.2', { method: 'linear', normalization: 'min-max', combination: 'geometric', weights: [0.8, 0.2] }],
  ];

  it.each(fusions)('%s: the cluster fuses its sub-query runs exactly as src/fusion does', async (_name, fusion) => {
    const depth = 20;
    // The two sub-queries on their own, as the cluster scores them (knn: (1 + cos) / 2; match: BM25 over title + text).
    const lexical = await backend.search({ key: hybridKey, queries, k: depth });
    const dense = await backend.search({ key: hybridKey, queries, vectors: queryVectors, k: depth });
    const hybrid: HybridSearch = { fusion, depth, order: ['lexical', 'dense'] };
    // Every fused doc (at most 2 x depth), so no cutoff falls inside a group of tied scores (the node orders a tie by
    // its internal doc order before the backend re-ranks, which decides who is cut).
    const fused = await backend.search({ key: hybridKey, queries, vectors: queryVectors, k: 2 * depth, hybrid });
    for (const q of queries) {
      const expected = fuseLists([lexical.get(q.id)!, dense.get(q.id)!], fusion);
      const got = fused.get(q.id)!;
      expect(got.map((h) => h.id), q.id).toEqual(expected.map((h) => h.id));
      got.forEach((h, i) => expect(Math.abs(h.score - expected[i].score), `${q.id} ${h.id}`).toBeLessThanOrEqual(2 ** -20 * Math.max(1, expected[i].score)));
    }
    const pipelines = (await client.transport.request({ method: 'GET', path: `/_search/pipeline/${hybridPipelineName(fusion, prefix)}` })).body as Record<string, unknown>;
    expect(Object.keys(pipelines)).toEqual([hybridPipelineName(fusion, prefix)]);
  });

  const modelsDir = warnIfNoModels('bench hybrid on OpenSearch with e5-small-v2');
  it.skipIf(!modelsDir || !hasSharedBeir())('bench: the cluster-fused hybrid agrees with the embedded fusion on a SciFact slice', async () => {
    const out = await mkdtemp(join(tmpdir(), 'beir-bench-os-hybrid-'));
    try {
      const r = await runCli([
        'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-queries', '20', '--max-docs', '300',
        '--arms', 'bm25,hybrid(bm25+asymmetric),hybrid(bm25+asymmetric,linear,weights=0.4/0.6)', '--backend', 'opensearch',
        '--opensearch-url', NODE_URL!, '--index-prefix', prefix, '--format', 'json', '--quiet', '--permutations', '200', '--out', out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const json = await checkResults(JSON.parse(r.stdout), 'stdout');
      expect(json.systems.map((s) => [s.kind, s.engine])).toEqual([['lexical', 'opensearch-bm25'], ['hybrid', 'opensearch-hybrid'], ['hybrid', 'opensearch-hybrid']]);
      for (const s of json.datasets[0].systems.slice(1)) {
        const a = s.approximation!;
        expect(a.reference).toMatch(/\.opensearch\.embedded$/);
        // 300 passages: HNSW finds the exact neighbours; what differs is BM25 (the node's vs the embedded Lucene formula) and tie order.
        expect(a.meanOverlap!).toBeGreaterThanOrEqual(0.9);
        expect(Math.abs(a.exactMean['ndcg_cut.10'] - s.mean['ndcg_cut.10'])).toBeLessThanOrEqual(0.02);
        expect(s.engine).toMatchObject({ engine: 'opensearch-hybrid', depth: 100 });
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});

/**
 * The LanceDB engine on real e5-small-v2 vectors of a SciFact slice: its HNSW search finds nearly the exact top 10
 * with exact cosine scores (candidates re-scored on the full vectors), a table is reused only for the same vectors,
 * and what it cannot search correctly is refused.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IndexKey } from '../../src/backends/index-key.js';
import { rankedRunOf } from '../../src/ranking.js';
import { exactTopK } from '../../src/backends/exact.js';
import { LanceDbBackend, type LanceDbOptions } from '../../src/backends/lancedb.js';
import { memoryCorpus } from '../../src/datasets/corpus.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { embedTexts } from '../../src/embed/cache.js';
import { loadEncoder } from '../../src/embed/encoder.js';
import { matrixVectors } from '../../src/embed/passage-vectors.js';
import { topKOverlap } from '../../src/eval/overlap.js';
import { UserError } from '../../src/errors.js';
import { passageText, queryText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import type { Doc, Matrix, Query } from '../../src/types.js';
import { docsOf } from '../helpers/corpus.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('LanceDB engine on real vectors');

describe.skipIf(!modelsDir || !hasSharedBeir())('LanceDB engine on real e5-small-v2 vectors of a SciFact slice', () => {
  const dirs: string[] = [];
  let docs: Doc[];
  let queries: Query[];
  let passages: Matrix;
  let queryVectors: Matrix;
  const key: IndexKey = { dataset: 'scifact', model: 'intfloat/e5-small-v2', system: 'e5-small-v2.asymmetric.lancedb', docSet: 'slice', fingerprint: 'v1' };
  const tmp = async (prefix: string) => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const options = async (over: Partial<LanceDbOptions> = {}): Promise<LanceDbOptions> => ({
    dir: await tmp('beir-bench-lancedb-'),
    m: 16,
    efConstruction: 100,
    efSearch: 100,
    refineFactor: 4,
    recreate: false,
    concurrency: 4,
    quiet: true,
    ...over,
  });

  beforeAll(async () => {
    const ds = await loadDataset('scifact', join(SHARED_BEIR, 'scifact'), { split: 'test', maxQueries: 40, maxDocs: 300 });
    const model = getModel('intfloat/e5-small-v2');
    // int8 weights: four times faster to encode here, and the engine sees vectors just as real.
    const encoder = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir!, threads: 2 });
    try {
      const cacheDir = await tmp('beir-bench-lancedb-cache-');
      const embed = (texts: string[], label: string) => embedTexts({ encoder, texts, cacheDir, namespace: 'scifact', label, quiet: true });
      docs = await docsOf(ds.corpus);
      queries = ds.queries;
      passages = (await embed(docs.map((d) => passageText(d, model.passagePrefix)), 'passages')).matrix;
      queryVectors = (await embed(queries.map((q) => queryText(q, model.queryPrefix)), 'queries')).matrix;
    } finally {
      await encoder.dispose();
    }
  }, 300_000);

  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const indexAndSearch = async (backend: LanceDbBackend, k: IndexKey, depth = 10) => {
    await backend.index({ key: k, corpus: memoryCorpus(docs), vectors: { passages: matrixVectors(passages), similarity: 'cosine' } });
    return backend.search({ key: k, queries, vectors: queryVectors, k: depth });
  };

  it('finds the exact top 10 (overlap >= 0.95) with exact cosine scores, in the shared ranking order', async () => {
    const backend = await LanceDbBackend.open(await options());
    try {
      const run = await indexAndSearch(backend, key);
      const exact = rankedRunOf(queries, exactTopK(queryVectors, passages, docs.map((d) => d.id), 10));
      expect(topKOverlap(run, exact, 10).meanOverlap).toBeGreaterThanOrEqual(0.95);
      const exactScore = new Map([...exact].flatMap(([q, hits]) => hits.map((h) => [`${q}\0${h.id}`, h.score])));
      for (const [q, hits] of run) {
        expect(hits).toHaveLength(10);
        for (let i = 1; i < hits.length; i++) expect(Math.fround(hits[i - 1].score)).toBeGreaterThanOrEqual(Math.fround(hits[i].score));
        for (const h of hits) {
          const e = exactScore.get(`${q}\0${h.id}`);
          if (e !== undefined) expect(Math.abs(h.score - e)).toBeLessThan(1e-6);
        }
      }
    } finally {
      await backend.close();
    }
  }, 120_000);

  it('reuses a table built for the same vectors, and replaces the one of other vectors', async () => {
    const opts = await options();
    const first = await LanceDbBackend.open(opts);
    const run = await indexAndSearch(first, key);
    await first.close();
    const tables = async () => (await readdir(opts.dir)).filter((f) => f.endsWith('.lance')).sort();
    const [table] = await tables();
    const second = await LanceDbBackend.open(opts);
    try {
      expect(await indexAndSearch(second, key)).toEqual(run);
      expect(await tables()).toEqual([table]);
      await indexAndSearch(second, { ...key, fingerprint: 'v2' });
      const after = await tables();
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(table);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('refuses a dot-product model and bad settings with a UserError', async () => {
    const backend = await LanceDbBackend.open(await options());
    try {
      await expect(backend.index({ key, corpus: memoryCorpus(docs), vectors: { passages: matrixVectors(passages), similarity: 'dot' } })).rejects.toThrow(UserError);
    } finally {
      await backend.close();
    }
    await expect(LanceDbBackend.open(await options({ efSearch: 0 }))).rejects.toThrow(/--lancedb-ef-search must be a positive integer/);
  });
});

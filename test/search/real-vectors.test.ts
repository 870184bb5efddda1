/**
 * The GEMM search on real embeddings: a SciFact slice encoded by e5-small-v2 (asymmetric prefixes), searched
 * by the embedded engine as `bench` does, gives exactly the reference loop's hits and scores, so run files
 * are byte-identical before and after the GEMM search replaced the loop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exactTopK } from '../../src/backends/exact.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { embedTexts } from '../../src/embed/cache.js';
import { loadEncoder } from '../../src/embed/encoder.js';
import { passageText, queryText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import { exactSearch } from '../../src/search/exact-gemm.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';
import { docsOf } from '../helpers/corpus.js';

const modelsDir = warnIfNoModels('GEMM search on real vectors');

describe.skipIf(!modelsDir || !hasSharedBeir())('exact search on real e5-small-v2 vectors of a SciFact slice', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('the GEMM search returns the reference loop\'s hits, bit for bit, at every depth', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-gemm-real-'));
    dirs.push(cacheDir);
    const ds = await loadDataset('scifact', join(SHARED_BEIR, 'scifact'), { split: 'test', maxQueries: 40, maxDocs: 300 });
    const model = getModel('intfloat/e5-small-v2');
    // int8 weights: four times faster to encode here, and the search sees vectors just as real.
    const encoder = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir!, threads: 2 });
    try {
      const embed = (texts: string[], label: string) => embedTexts({ encoder, texts, cacheDir, namespace: 'scifact', label, quiet: true });
      const docs = await docsOf(ds.corpus);
      const passages = (await embed(docs.map((d) => passageText(d, model.passagePrefix)), 'passages')).matrix;
      const queries = (await embed(ds.queries.map((q) => queryText(q, model.queryPrefix)), 'queries')).matrix;
      const ids = docs.map((d) => d.id);
      for (const k of [1, 11, 100, ids.length]) {
        const reference = exactTopK(queries, passages, ids, k);
        for (const blockRows of [undefined, 64]) {
          const gemm = await exactSearch({ queries, passages, docIds: ids, k, blockRows });
          expect(gemm).toEqual(reference);
        }
      }
    } finally {
      await encoder.dispose();
    }
  }, 300_000);
});

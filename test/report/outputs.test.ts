import { describe, expect, it } from 'vitest';
import type { BenchConfig } from '../../src/bench/config.js';
import type { BenchOutcome } from '../../src/bench/run-bench.js';
import { getModel } from '../../src/models/registry.js';
import { makeRunId } from '../../src/results/run-folder.js';
import { buildResults, environment } from '../../src/results/build-results.js';
import { checkResults } from '../../src/results/read-results.js';
import { parseArms } from '../../src/systems/arms.js';
import { buildSystems } from '../../src/systems/build.js';

const e5 = getModel('intfloat/e5-small-v2');
const systems = (arms: string) => buildSystems(parseArms(arms, { model: e5, encoder: { kind: 'local', dtype: 'fp32' }, backend: 'opensearch', resolveModel: getModel }));

function outcome(cfg: Partial<BenchConfig>): BenchOutcome {
  const config: BenchConfig = {
    datasets: ['scifact'], split: 'test', systems: systems('symmetric,asymmetric'), k: 10, metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true,
    datasetCacheDir: 'datasets', embeddingCacheDir: null, outDir: 'results', seed: 42, permutations: 100, quiet: true, engineOptions: {}, ...cfg,
  };
  return { config, datasets: [], startedAt: '2026-11-25T17:45:01.123Z', seconds: 1 };
}

describe('results.json', () => {
  it('never records credentials given inside the OpenSearch URL, and validates against the schema', async () => {
    const o = outcome({
      engineOptions: {
        opensearch: {
          url: 'https://admin:s3cret@search.example.org:9200', engine: 'lucene', m: 16, efConstruction: 100, efSearch: 100,
          recreate: false, concurrency: 2, bulkBatchSize: 250,
        },
      },
    });
    const results = buildResults(o, 'run', await environment());
    const text = JSON.stringify(results);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('admin');
    expect(text).toContain('search.example.org:9200');
    await expect(checkResults(JSON.parse(text), 'results.json')).resolves.toBeDefined();
  });

  it('names runs by start time, datasets and models (or the lexical systems when there is no model)', () => {
    expect(makeRunId(outcome({ datasets: ['scifact', 'nfcorpus'] }))).toBe('20261125-174501-scifact+nfcorpus-e5-small-v2');
    expect(makeRunId(outcome({ systems: systems('bm25') }))).toBe('20261125-174501-scifact-opensearch-bm25');
    const two = systems('symmetric,sentence-transformers/all-MiniLM-L6-v2:symmetric');
    expect(makeRunId(outcome({ systems: two }))).toBe('20261125-174501-scifact-e5-small-v2+all-MiniLM-L6-v2');
  });
});

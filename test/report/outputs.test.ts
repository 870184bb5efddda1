import { describe, expect, it } from 'vitest';
import type { BenchConfig } from '../../src/bench/config.js';
import type { BenchOutcome } from '../../src/bench/run-bench.js';
import { getModel } from '../../src/models/registry.js';
import { renderMarkdown } from '../../src/report/render.js';
import { makeRunId, resultsJson } from '../../src/report/write-outputs.js';

function outcome(cfg: Partial<BenchConfig>): BenchOutcome {
  const config: BenchConfig = {
    datasets: ['scifact'], split: 'test', model: getModel('intfloat/e5-small-v2'), dtype: 'fp32', arms: ['symmetric', 'asymmetric'],
    k: 10, metrics: ['ndcg_cut.10'], backend: 'opensearch', ignoreIdenticalIds: true, datasetCacheDir: 'datasets',
    embeddingCacheDir: null, outDir: 'results', seed: 42, permutations: 100, quiet: true, ...cfg,
  };
  return { config, encoder: null, backend: {}, datasets: [], startedAt: '2026-11-25T17:45:01.123Z', seconds: 1 };
}

describe('results.json', () => {
  it('never records credentials given inside the OpenSearch URL', async () => {
    const o = outcome({
      opensearch: {
        url: 'https://admin:s3cret@search.example.org:9200', engine: 'lucene', m: 16, efConstruction: 100, efSearch: 100,
        recreate: false, concurrency: 2, bulkBatchSize: 250, similarity: 'cosine', dimension: 384,
      },
    });
    const text = JSON.stringify(await resultsJson(o, 'run'));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('admin');
    expect(text).toContain('search.example.org:9200');
  });

  it('names runs by start time, datasets and model', () => {
    expect(makeRunId(outcome({ datasets: ['scifact', 'nfcorpus'] }))).toBe('20261125-174501-scifact+nfcorpus-e5-small-v2');
  });
});

describe('renderMarkdown', () => {
  it('writes dataset and bias once per group, right-aligns number columns, escapes pipes', () => {
    const md = renderMarkdown({
      header: ['Dataset', 'Bias', 'Metric', 'Symmetric', 'Asymmetric', 'Change (%)', '95% CI of Δ', 'p (Holm)'],
      groups: [{ dataset: 'SciFact', bias: 'GOOD', rows: [['NDCG@10', '0.6797', '0.6875', '+1.2%', '[a|b]', '0.938'], ['MAP@10', '0.6313', '0.6435', '+1.9%', '[c, d]', '0.938']] }],
    }).split('\n');
    expect(md[1]).toBe('|---|---|---|---:|---:|---:|---|---:|');
    expect(md[2]).toBe('| SciFact | GOOD | NDCG@10 | 0.6797 | 0.6875 | +1.2% | [a\\|b] | 0.938 |');
    expect(md[3]).toBe('|  |  | MAP@10 | 0.6313 | 0.6435 | +1.9% | [c, d] | 0.938 |');
  });
});

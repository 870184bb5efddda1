/**
 * `bench --backend lancedb` end to end on a real SciFact slice with e5-small-v2 vectors: the engine reached only
 * through its registry definition, its HNSW run measured against exact search over the same vectors (reported
 * like OpenSearch's), its settings and package version recorded, a matching table reused, bad settings refused.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults } from '../../src/results/read-results.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('bench --backend lancedb');

describe.skipIf(!modelsDir || !hasSharedBeir())('bench --backend lancedb (SciFact slice, e5-small-v2)', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'beir-bench-lancedb-bench-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  const bench = (...extra: string[]) =>
    runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--dtype', 'q8', '--max-queries', '20', '--max-docs', '300',
      '--arms', 'asymmetric,bm25', '--backend', 'lancedb', '--lancedb-dir', join(out, 'db'), '--embed-cache-dir', join(out, 'cache'),
      '--permutations', '200', '--out', join(out, 'results'), ...extra,
    ]);

  it('runs the dense system on LanceDB and reports its top-10 overlap with exact search on the same vectors', async () => {
    const r = await bench('--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const json = await checkResults(JSON.parse(r.stdout), 'stdout');
    expect(json.systems.map((s) => [s.id, s.engine])).toEqual([
      ['e5-small-v2.asymmetric.q8', 'lancedb'],
      ['bm25', 'bm25'],
    ]);
    const [dense, bm25] = json.datasets[0].systems;
    expect(dense.engine).toMatchObject({ engine: 'lancedb', backend: 'lancedb', index: { type: 'IVF_HNSW_SQ', distance: 'cosine', m: 16 } });
    expect(bm25.approximation).toBeUndefined();
    const a = dense.approximation!;
    console.log(`[lancedb] SciFact 300 docs, 20 queries: top-10 overlap with exact ${a.meanOverlap}; NDCG@10 HNSW ${dense.mean['ndcg_cut.10']} vs exact ${a.exactMean['ndcg_cut.10']}`);
    expect(a.reference).toBe('e5-small-v2.asymmetric.q8.exact');
    // Measured on this slice: HNSW with ef 100 over 300 docs finds (nearly) the exact top 10.
    expect(a.meanOverlap).toBeGreaterThanOrEqual(0.9);
    expect(a.meanOverlap).toBeLessThanOrEqual(1);
    expect(Math.abs(a.exactMean['ndcg_cut.10'] - dense.mean['ndcg_cut.10'])).toBeLessThan(0.05);
    expect(json.config.lancedb).toMatchObject({ dir: join(out, 'db'), m: 16, efConstruction: 100, efSearch: 100, refineFactor: 4 });
    expect(json.config.opensearch).toBeUndefined();
    expect(json.environment.packages['@lancedb/lancedb']).toBe('0.31.0');

    // The report states the overlap as it does OpenSearch's.
    const report = await readFile(join(out, 'results', json.runId, 'report.md'), 'utf8');
    expect(report).toContain(`HNSW top-10 overlap with exact search`);
    expect(report).toContain('engine lancedb');
  }, 600_000);

  it('reuses the matching table and returns the same run', async () => {
    const first = await bench('--format', 'json');
    const second = await bench('--format', 'json');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('reusing LanceDB table');
    const [a, b] = [first, second].map((x) => JSON.parse(x.stdout).datasets[0].systems[0]);
    expect(b.perQuery).toEqual(a.perQuery);
  }, 600_000);

  it('refuses a bad setting with the flag named, before any work', async () => {
    const r = await bench('--lancedb-m', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lancedb-m');
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { generateResultsSchema, RESULTS_SCHEMA_PATH } from '../../scripts/results-schema.js';
import { checkResults, readResults } from '../../src/results/read-results.js';

/** A minimal valid results.json: one dataset, one lexical system. */
function minimal(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    runId: 'r',
    startedAt: '2026-12-01T00:00:00.000Z',
    seconds: 1,
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, packages: { 'beir-bench': '0.1.0' } },
    config: {
      datasets: ['scifact'], split: 'test', k: 10, metrics: ['ndcg_cut.10'], ignoreIdenticalIds: true, datasetCacheDir: 'datasets',
      embeddingCacheDir: null, outDir: 'results', seed: 42, permutations: 10,
    },
    systems: [{ kind: 'lexical', id: 'bm25', label: 'BM25', engine: 'bm25' }],
    passages: { encoded: 0, fromCache: 0 },
    datasets: [
      {
        name: 'scifact', displayName: 'SciFact', officialZipMd5: 'x', folder: 'f', split: 'test', files: {},
        qrelsDocsMissingFromCorpus: { rows: 0, docIds: 0, examples: [] }, docs: 1, queries: 1,
        stats: {
          name: 'scifact', displayName: 'SciFact', split: 'test', queries: { avg: 1, median: 1, count: 1 }, passages: null, passagesSource: null,
          lengthRatio: null, questionShare: 0, bias: null, testQueries: 1, corpusDocs: null, notes: [],
        },
        timings: {},
        systems: [
          {
            system: 'bm25', inputs: null, encoder: null, engine: {}, timings: {}, runFile: 'runs/scifact.bm25.trec', mean: { 'ndcg_cut.10': 1 },
            queriesScored: 1, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0, perQuery: { q1: { 'ndcg_cut.10': 1 } },
          },
        ],
        comparisons: [],
        invariantViolations: [],
      },
    ],
  };
}

describe('results.json schema', () => {
  it('the published schema/results.schema.json is what src/results/schema.ts generates (npm run schema)', async () => {
    expect(await readFile(RESULTS_SCHEMA_PATH, 'utf8')).toBe(generateResultsSchema());
  });

  it('accepts a valid file', async () => {
    await expect(checkResults(minimal(), 'r.json')).resolves.toMatchObject({ runId: 'r' });
  });

  it('names the offending field of an invalid file', async () => {
    const bad = minimal();
    (bad.datasets as Record<string, unknown>[])[0].systems = [{ system: 'bm25' }];
    await expect(checkResults(bad, 'r.json')).rejects.toThrow(/r\.json does not match the results\.json schema .*\/datasets\/0\/systems\/0 must have required property/);
    const extra = { ...minimal(), surprise: 1 };
    await expect(checkResults(extra, 'r.json')).rejects.toThrow(/must NOT have additional properties/);
  });

  it('refuses another schema version, a pre-schema results.json, and files that are not results', async () => {
    await expect(checkResults({ ...minimal(), schemaVersion: 2 }, 'r.json')).rejects.toThrow(/r\.json is results\.json schema version 2; this beir-bench reads version 1/);
    const { schemaVersion: _v, ...old } = minimal();
    await expect(checkResults(old, 'old.json')).rejects.toThrow(/old\.json has no schemaVersion: it was written by beir-bench 0\.1/);
    await expect(checkResults({ hello: 1 }, 'x.json')).rejects.toThrow(/x\.json is not a beir-bench results\.json/);
    await expect(checkResults([1], 'x.json')).rejects.toThrow(UserError);
  });

  it('reads files, naming the file when it is missing or not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beir-bench-results-'));
    try {
      await writeFile(join(dir, 'ok.json'), JSON.stringify(minimal()));
      await writeFile(join(dir, 'broken.json'), '{"schemaVersion": 1,');
      expect((await readResults(join(dir, 'ok.json'))).systems[0].id).toBe('bm25');
      await expect(readResults(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json is not JSON/);
      await expect(readResults(join(dir, 'missing.json'))).rejects.toThrow(/cannot read .*missing\.json: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

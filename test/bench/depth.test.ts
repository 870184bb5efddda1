import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { checkResults } from '../../src/results/read-results.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { describeWithShared, itWithShared, SHARED_BEIR } from '../helpers/shared.js';

/**
 * Depth follows the metrics (docs/METRICS.md "Run depth"): real embedded BM25 on the whole of SciFact (fast), where a
 * run retrieved only k = 10 deep used to report Recall@100 = Recall@10 = 0.7851.
 */
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'beir-bench-depth-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function bench(name: string, args: string[]): Promise<{ results: ResultsFile; runFile: string }> {
  const dest = join(out, name);
  const r = await runCli(['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--out', dest, '--format', 'json', '--quiet', ...args]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const results = await checkResults(JSON.parse(r.stdout), 'stdout');
  const [dir] = await readdir(dest);
  return { results, runFile: await readFile(join(dest, dir, 'runs', 'scifact.bm25.trec'), 'utf8') };
}

/** Hits per query in a TREC run file. */
function hitsPerQuery(runFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of runFile.trimEnd().split('\n')) {
    const q = line.slice(0, line.indexOf(' '));
    counts.set(q, (counts.get(q) ?? 0) + 1);
  }
  return counts;
}

describeWithShared('bench retrieves as deep as the deepest cutoff it reports (SciFact, embedded BM25)', () => {
  let byMetrics: Awaited<ReturnType<typeof bench>>;
  let byK: Awaited<ReturnType<typeof bench>>;
  beforeAll(async () => {
    byMetrics = await bench('metrics', ['--metrics', 'NDCG@10,Recall@100']);
    byK = await bench('k100', ['-k', '100', '--metrics', 'NDCG@10,Recall@100']);
  }, 120_000);

  itWithShared('Recall@100 with the default k equals Recall@100 with -k 100, query by query, and is not Recall@10', () => {
    const a = byMetrics.results.datasets[0].systems[0];
    const b = byK.results.datasets[0].systems[0];
    expect(a.mean['recall.100']).toBe(b.mean['recall.100']);
    expect(a.mean['recall.100']).toBeCloseTo(0.8852, 4);
    expect(a.mean['recall.10']).toBeCloseTo(0.7851, 4);
    for (const [q, v] of Object.entries(a.perQuery)) expect(v['recall.100']).toBe(b.perQuery[q]['recall.100']);
    // The @10 measures are those of a 10-deep run: the deeper retrieval changes no top 10.
    expect(a.mean['ndcg_cut.10']).toBeCloseTo(0.6633, 4);
  });

  itWithShared('the run files hold the 100 hits Recall@100 was scored from, and results.json records the depth', () => {
    for (const { results, runFile } of [byMetrics, byK]) {
      expect(results.config.depth).toBe(100);
      expect(Math.max(...hitsPerQuery(runFile).values())).toBe(100);
    }
    expect(byMetrics.results.config.k).toBe(10);
  });

  itWithShared('--depth keeps more hits than any cutoff (run files to re-score later) without changing a score', async () => {
    const deep = await bench('depth1000', ['--metrics', 'NDCG@10,Recall@100', '--depth', '1000']);
    expect(deep.results.config.depth).toBe(1000);
    expect(Math.max(...hitsPerQuery(deep.runFile).values())).toBe(1000);
    expect(deep.results.datasets[0].systems[0].mean).toEqual(byMetrics.results.datasets[0].systems[0].mean);
  }, 120_000);

  itWithShared('--depth shallower than a reported cutoff is refused in one line, before anything runs', async () => {
    const r = await runCli(['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--metrics', 'Recall@100', '--depth', '50', '--out', join(out, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --depth 50 is shallower than Recall@100: keep at least 100 hits per query, or leave --depth out');
    await expect(readdir(join(out, 'refused'))).rejects.toThrow();
  });
});

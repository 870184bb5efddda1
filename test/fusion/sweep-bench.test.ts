/** `bench --fusion-weights --tune-split` end to end on a SciFact slice with the real e5-small-v2. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults } from '../../src/results/read-results.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('bench --fusion-weights with e5-small-v2');

describe.skipIf(!modelsDir || !hasSharedBeir())('bench --fusion-weights (SciFact slice, real model)', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'beir-bench-sweep-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('records the curve and the weight tuned on train; the curve at the system\'s own weight is the system\'s score', async () => {
    const r = await runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-queries', '10', '--max-docs', '60',
      '--arms', 'bm25,hybrid(bm25+asymmetric,linear)', '--fusion-weights', '0.2,0.5,0.8', '--tune-split', 'dev,train',
      '--format', 'markdown', '--quiet', '--permutations', '200', '--out', out, '--embed-cache-dir', join(out, 'cache'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [runDir] = await readdir(out).then((names) => names.filter((n) => n !== 'cache'));
    const json = await checkResults(JSON.parse(await readFile(join(out, runDir, 'results.json'), 'utf8')), 'results.json');
    const d = json.datasets[0];
    const [sweep] = d.fusionSweeps!;
    expect(sweep.system).toBe('bm25+e5-small-v2.asymmetric.linear-0.5-0.5');
    expect(sweep.points.map((p) => p.weight)).toEqual([0.2, 0.5, 0.8]);
    // Re-fusing the stored component runs at 0.5/0.5 reproduces the system itself, metric for metric.
    expect(sweep.points[1].mean).toEqual(d.systems[1].mean);
    expect(sweep.tuned).toMatchObject({ split: 'train', queries: 10 });
    expect([0.2, 0.5, 0.8]).toContain(sweep.tuned!.weight);
    expect(r.stdout).toMatch(/fusion weight sweep \(w = weight of BM25, Asymmetric gets 1 - w\), NDCG@10 on the 10 test queries/);
    expect(r.stdout).toMatch(/chosen on the very queries it is scored on: an optimistic estimate/);
    expect(r.stdout).toMatch(/Tuned on train \(10 queries/);
    expect(await readdir(join(out, runDir))).toContain('fusion-weights-scifact-bm25+e5-small-v2.asymmetric.linear-0.5-0.5.svg');
  }, 300_000);
});

/**
 * regress on real data: SciFact (BM25, full: seconds) for the significance side of the verdicts, and a real
 * model on a small NFCorpus slice for a perturbed system (prefixes dropped).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRunFile } from '../../src/eval/evaluate-file.js';
import { formatFixed } from '../../src/eval/format.js';
import { readQrels } from '../../src/formats/qrels-file.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, itWithShared, SHARED_BEIR } from '../helpers/shared.js';
import { editMatrix, junitErrors } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-regress-real-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const regress = (file: string, ...args: string[]) =>
  runCli(['regress', '--matrix', file, '--data-dir', SHARED_BEIR, '--out', join(dir, 'out'), '--quiet', '--embed-cache-dir', join(dir, 'cache'), ...args]);

/** Each query's hits in reverse order (rank i becomes rank n + 1 - i): the same docs, a worse ranking. */
function reversed(run: string): string {
  const byQuery = new Map<string, string[][]>();
  for (const line of run.trim().split('\n')) {
    const cols = line.split(' ');
    byQuery.set(cols[0], [...(byQuery.get(cols[0]) ?? []), cols]);
  }
  return [...byQuery.values()]
    .flatMap((rows) => rows.map((cols, i) => [cols[0], 'Q0', rows[rows.length - 1 - i][2], String(i + 1), cols[4], cols[5]].join(' ')))
    .join('\n')
    .concat('\n');
}

describe('regress on real BEIR data', () => {
  itWithShared('a change outside tolerance that the paired test finds significant is a FAIL, even an improvement', async () => {
    const matrix = join(dir, 'scifact-bm25.yaml');
    await writeFile(matrix, 'systems:\n  - engine: bm25\ndatasets:\n  - dataset: scifact\n');
    expect((await regress(matrix, '--update')).code).toBe(0);

    // Pretend the stored baseline run (and the expectation recorded with it) ranked each query's top 10 backwards.
    const baseline = join(dir, 'scifact-bm25', 'scifact.bm25.trec');
    await writeFile(baseline, reversed(await readFile(baseline, 'utf8')));
    const qrels = await readQrels(join(SHARED_BEIR, 'scifact', 'qrels', 'test.tsv'));
    const worse = await evaluateRunFile(qrels, baseline, { metrics: ['ndcg_cut.10', 'map_cut.10', 'recall.10'], ignoreIdenticalIds: true, averageOverAllQrels: false });
    const stored = (v: number) => Number(formatFixed(v, 4));
    await editMatrix(matrix, [
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], stored(worse.mean['ndcg_cut.10'])],
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'], stored(worse.mean['map_cut.10'])],
    ]);

    const junit = join(dir, 'scifact.xml');
    const r = await regress(matrix, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NDCG@10 +│ 0\.\d{4} +│ 0\.66\d\d +│ \+0\.\d{4} +│ ±0\.001 +│ <0\.001 +│ FAIL /);
    expect(r.stdout).toMatch(/MAP@10 +│ 0\.\d{4} +│ 0\.6\d{3} +│ \+0\.\d{4} +│ ±0\.001 +│ <0\.001 +│ FAIL /);
    // The same ten docs per query: Recall@10 does not move.
    expect(r.stdout).toMatch(/Recall@10 +│ 0\.785\d +│ 0\.785\d +│ \+0\.0000 +│ ±0\.001 +│ - +│ OK /);
    expect(r.stdout).toMatch(/scifact\/bm25 NDCG@10: expected 0\.\d{4}, got 0\.66\d\d .*: FAIL, significant against the stored baseline run \(p = <0\.001 < alpha 0\.05\)/);
    expect(r.stdout).not.toMatch(/note: the stored baseline run scores/);
    expect(await junitErrors(await readFile(junit, 'utf8'))).toEqual([]);
  });

  const modelsDir = warnIfNoModels('regress with a real model');
  it.skipIf(!hasSharedBeir() || !modelsDir)(
    'a perturbed system (E5 with its prefixes dropped) fails: exit 1, naming condition, metric, expected and got',
    async () => {
      const matrix = join(dir, 'e5.yaml');
      await writeFile(
        matrix,
        [
          'systems:',
          '  - id: e5',
          '    model: intfloat/e5-small-v2',
          '    prefix: asymmetric',
          'datasets:',
          '  - dataset: nfcorpus',
          `    maxQueries: ${E5_SLICE.maxQueries}`,
          `    maxDocs: ${E5_SLICE.maxDocs}`,
          '',
        ].join('\n'),
      );
      const update = await regress(matrix, '--update', '--models-dir', modelsDir!);
      expect(update.stderr).toBe('');
      expect(update.code).toBe(0);
      const ok = await regress(matrix, '--models-dir', modelsDir!);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/3 checks: 3 OK/);

      // The system loses its prefixes; judged without a stored baseline run, any move beyond tolerance fails.
      await editMatrix(matrix, [[['systems', 0, 'prefix'], 'symmetric']], [['datasets', 0, 'expected', 'e5', 'baselineRun']]);
      const r = await regress(matrix, '--models-dir', modelsDir!);
      expect(r.code).toBe(1);
      const entry = `nfcorpus.q${E5_SLICE.maxQueries}.d${E5_SLICE.maxDocs}/e5`;
      expect(r.stdout).toContain(`${entry} NDCG@10: expected `);
      expect(r.stdout).toMatch(new RegExp(`${entry.replace(/[./]/g, '\\$&')} NDCG@10: expected 0\\.\\d{4}, got 0\\.\\d{4} \\([+-]0\\.\\d{4}, tolerance ±0\\.001\\): FAIL`));
      expect(r.stdout).toMatch(/note: the strings sent to the model changed \(strings\.queries: /);
      expect(r.stdout).not.toMatch(/CHANGED-INPUT,/);
    },
    // Encodes 2 x 80 passages with a cold cache: about a minute on 2 quiet cores.
    600_000,
  );
});

/**
 * An NFCorpus slice (2 queries, their 54 relevant passages and 26 others) where dropping E5's prefixes moves
 * NDCG@10 from 0.8158 to 0.8232 and MAP@10 from 0.3250 to 0.3060 (measured), well beyond the 0.001 tolerance.
 * (SciFact slices of this size are too easy: both policies score 1.0.)
 */
const E5_SLICE = { maxQueries: 2, maxDocs: 80 };

/**
 * regress on real data, one rule per test: SciFact BM25 (full corpus, seconds) for deterministic conditions; the
 * real e5-small-v2 model on slices for a perturbed dense system, the project matrix's own CI slice (unchanged,
 * the prefix swap of issue 18, moved expected values), and OpenSearch HNSW for the approximate rules. The tests
 * share one embedding cache and run in order, so each slice is encoded once.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRunFile } from '../../src/eval/evaluate-file.js';
import { formatFixed } from '../../src/eval/format.js';
import { readQrels } from '../../src/formats/qrels-file.js';
import { MIN_EQUIVALENCE_QUERIES } from '../../src/regress/verdict.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, itWithShared, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { deleteIndexes, NODE_URL, rawClient, testPrefix } from '../opensearch/helpers.js';
import { editMatrix, junitErrors, matrixValue } from './helpers.js';

let dir: string;
const prefix = testPrefix();
let client: Client | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-regress-real-'));
});
afterAll(async () => {
  if (client) {
    await deleteIndexes(client, prefix);
    await client.close();
  }
  await rm(dir, { recursive: true, force: true });
});

const modelsDir = warnIfNoModels('regress with a real model');
const withModel = hasSharedBeir() && modelsDir !== null;
const withNode = withModel && NODE_URL !== undefined;

const regress = (file: string, ...args: string[]) =>
  runCli([
    'regress', '--matrix', file, '--data-dir', SHARED_BEIR, '--out', join(dir, 'out'), '--quiet',
    '--embed-cache-dir', join(dir, 'cache'), ...(modelsDir ? ['--models-dir', modelsDir] : []),
    ...(NODE_URL ? ['--opensearch-url', NODE_URL, '--index-prefix', prefix] : []), ...args,
  ]);

type RunLine = { qid: string; doc: string; score: string };
const parseRun = (text: string): RunLine[] =>
  text.trim().split('\n').map((l) => {
    const [qid, , doc, , score] = l.split(' ');
    return { qid, doc, score };
  });
/** A TREC run from lines in ranking order per query (ranks renumbered, scores descending as written). */
function writeRun(lines: RunLine[]): string {
  const rank = new Map<string, number>();
  return lines.map((l) => {
    const r = (rank.get(l.qid) ?? 0) + 1;
    rank.set(l.qid, r);
    return `${l.qid} Q0 ${l.doc} ${r} ${(1000 - r).toFixed(3)} perturbed`;
  }).join('\n').concat('\n');
}
const byQuery = (lines: RunLine[]) => {
  const m = new Map<string, RunLine[]>();
  for (const l of lines) m.set(l.qid, [...(m.get(l.qid) ?? []), l]);
  return m;
};

/** Each query's hits in reverse order: the same docs, a worse ranking. */
const reversed = (run: string) => writeRun([...byQuery(parseRun(run)).values()].flatMap((rows) => [...rows].reverse()));

const stored = (v: number) => Number(formatFixed(v, 4));

/** Rewrite a condition's stored baseline run (as an earlier night would have left it) and the values it scores. */
async function replaceBaseline(matrix: string, entry: number, system: string, qrelsFile: string, run: string, keys = ['NDCG@10', 'MAP@10', 'Recall@10']) {
  const ref = String(await matrixValue(matrix, ['datasets', entry, 'expected', system, 'baselineRun']));
  const path = join(dir, ref);
  await writeFile(path, run);
  const qrels = await readQrels(qrelsFile);
  const runQueries = new Set(parseRun(run).map((l) => l.qid));
  const scored = await evaluateRunFile(new Map([...qrels].filter(([q]) => runQueries.has(q))), path, {
    metrics: ['ndcg_cut.10', 'map_cut.10', 'recall.10'],
    ignoreIdenticalIds: true,
    averageOverAllQrels: true,
  });
  const names = { 'NDCG@10': 'ndcg_cut.10', 'MAP@10': 'map_cut.10', 'Recall@10': 'recall.10' } as const;
  await editMatrix(matrix, keys.map((k) => [['datasets', entry, 'expected', system, 'metrics', k], stored(scored.mean[names[k as keyof typeof names]])]));
}

describe('regress on real BEIR data', () => {
  itWithShared('deterministic: a run that does not reproduce the stored one fails, even an improvement, naming the changed queries', async () => {
    const matrix = join(dir, 'scifact-bm25.yaml');
    await writeFile(matrix, 'systems:\n  - engine: bm25\ndatasets:\n  - dataset: scifact\n');
    expect((await regress(matrix, '--update')).code).toBe(0);

    // Pretend the stored baseline run (and the values recorded with it) ranked each query's top 10 backwards.
    const baseline = join(dir, 'scifact-bm25', 'scifact.bm25.trec');
    await replaceBaseline(matrix, 0, 'bm25', join(SHARED_BEIR, 'scifact', 'qrels', 'test.tsv'), reversed(await readFile(baseline, 'utf8')));

    const junit = join(dir, 'scifact.xml');
    const r = await regress(matrix, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NDCG@10 +│ 0\.\d{4} +│ 0\.6633 +│ \+0\.\d{4} +│ \d{3}\/300 +│ exact +│ FAIL /);
    // The same ten docs per query: Recall@10 is reproduced.
    expect(r.stdout).toMatch(/Recall@10 +│ 0\.7851 +│ 0\.7851 +│ \+0\.0000 +│ 0\/300 +│ exact +│ OK /);
    expect(r.stdout).toMatch(/scifact\/bm25 NDCG@10: expected 0\.\d{4}, got 0\.6633 \(\+0\.\d{4}\): FAIL, \d{3} of 300 queries changed: a deterministic condition must reproduce its stored baseline run; largest: \S+ 0\.\d{4} -> 1\.0000/);
    expect(await junitErrors(await readFile(junit, 'utf8'))).toEqual([]);
  });

  it.skipIf(!withModel)(
    'deterministic: a perturbed dense system (E5 with its prefixes dropped) fails against its stored run, with a note on the strings sent',
    async () => {
      const matrix = join(dir, 'e5.yaml');
      await writeFile(matrix, ['systems:', '  - id: e5', '    model: intfloat/e5-small-v2', '    prefix: asymmetric', 'datasets:', '  - dataset: nfcorpus', '    maxQueries: 2', '    maxDocs: 30', ''].join('\n'));
      const update = await regress(matrix, '--update');
      expect(update.stderr).toBe('');
      expect(update.code).toBe(0);
      expect((await regress(matrix)).stdout).toMatch(/3 checks: 3 OK/);

      await editMatrix(matrix, [[['systems', 0, 'prefix'], 'symmetric']]);
      const r = await regress(matrix);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/nfcorpus\.q2\.d30\/e5 NDCG@10: expected 0\.\d{4}, got 0\.\d{4} \([+-]0\.\d{4}\): FAIL, [12] of 2 queries changed: a deterministic condition/);
      expect(r.stdout).toMatch(/note: the strings sent to the model changed \(strings\.queries: /);
      expect(r.stdout).not.toMatch(/CHANGED-INPUT,/);
    },
    900_000,
  );

  it.skipIf(!withModel)(
    'other model weights than the matrix records are CHANGED-INPUT, naming the model file and both hashes',
    async () => {
      // The same model folder with other weights in onnx/model.onnx (its int8 export: it loads and encodes).
      const other = join(dir, 'other-models');
      await cp(join(modelsDir!, 'intfloat', 'e5-small-v2'), join(other, 'intfloat', 'e5-small-v2'), { recursive: true });
      await cp(join(other, 'intfloat', 'e5-small-v2', 'onnx', 'model_quantized.onnx'), join(other, 'intfloat', 'e5-small-v2', 'onnx', 'model.onnx'));
      const matrix = join(dir, 'e5.yaml');
      await editMatrix(matrix, [[['systems', 0, 'prefix'], 'asymmetric']]);
      const r = await runCli(['regress', '--matrix', matrix, '--data-dir', SHARED_BEIR, '--out', join(dir, 'out'), '--quiet', '--embed-cache-dir', join(dir, 'cache'), '--models-dir', other]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/3 checks: 0 OK, 0 OK\*, 0 FAIL, 3 CHANGED-INPUT/);
      expect(r.stdout).toMatch(
        /nfcorpus\.q2\.d30\/e5: CHANGED-INPUT, the matrix recorded other inputs: encoder\.weightsSha256: b2a43b66f7f9… -> 7d9092cb25f2… \(tonight's intfloat\/e5-small-v2 onnx\/model\.onnx is not the file the matrix expects: provision the pinned weights, scripts\/provision-models\.sh\)/,
      );
    },
    900_000,
  );

  describe.skipIf(!withNode)('the project matrix on its CI slice (regressions/beir-e5-small-v2.yaml --tag ci)', () => {
    let project: string;
    beforeAll(async () => {
      client = rawClient();
      await cp(join(REPO_ROOT, 'regressions'), join(dir, 'project'), { recursive: true });
      project = join(dir, 'project', 'beir-e5-small-v2.yaml');
    });

    it('unchanged, it passes: every condition reproduces its stored run (fresh OpenSearch indexes included)', async () => {
      const r = await regress(project, '--tag', 'ci');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/18 conditions, 54 checks: 54 OK, 0 OK\*, 0 FAIL, 0 CHANGED-INPUT/);
    }, 1_800_000);

    it('the prefix swap (each exact E5 system behaving like the other) fails with exit 1 and JUnit <failure> elements', async () => {
      const swapped = join(dir, 'project', 'swapped.yaml');
      await cp(project, swapped);
      const dense = [4, 5]; // scifact.q20.d300, nfcorpus.q5.d200
      for (const entry of dense) {
        const at = (system: string, field: string) => ['datasets', entry, 'expected', system, field];
        const [sym, asym] = ['e5-small-v2.symmetric', 'e5-small-v2.asymmetric'];
        const values = await Promise.all([at(sym, 'metrics'), at(asym, 'metrics'), at(sym, 'baselineRun'), at(asym, 'baselineRun')].map((p) => matrixValue(swapped, p)));
        const plain = values.map((v) => (typeof v === 'object' && v !== null && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v));
        await editMatrix(swapped, [[at(sym, 'metrics'), plain[1]], [at(asym, 'metrics'), plain[0]], [at(sym, 'baselineRun'), plain[3]], [at(asym, 'baselineRun'), plain[2]]]);
      }
      const junit = join(dir, 'swapped.xml');
      const r = await regress(swapped, '--tag', 'ci', '--junit', junit);
      expect(r.code).toBe(1);
      for (const condition of ['scifact.q20.d300/e5-small-v2.symmetric', 'scifact.q20.d300/e5-small-v2.asymmetric', 'nfcorpus.q5.d200/e5-small-v2.symmetric', 'nfcorpus.q5.d200/e5-small-v2.asymmetric']) {
        expect(r.stdout).toMatch(new RegExp(`${condition.replace(/\./g, '\\.')} NDCG@10: expected .*: FAIL, \\d+ of \\d+ queries changed: a deterministic condition`));
      }
      const xml = await readFile(junit, 'utf8');
      expect(await junitErrors(xml)).toEqual([]);
      expect((xml.match(/<failure type="FAIL"/g) ?? []).length).toBeGreaterThanOrEqual(4);
    }, 900_000);

    it('every expected value moved by +0.05 (runs untouched) is exit 2 naming the first inconsistent value, before anything runs', async () => {
      const moved = join(dir, 'project', 'moved.yaml');
      await cp(project, moved);
      const text = await readFile(moved, 'utf8');
      await writeFile(moved, text.replace(/((?:NDCG|MAP|Recall)@10: )([\d.]+)/g, (_, key: string, v: string) => `${key}${Math.min(1, Number(v) + 0.05).toFixed(4)}`));
      const r = await regress(moved, '--tag', 'ci', '--out', join(dir, 'never'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: .*moved\.yaml:\d+: datasets\[2\]\.expected\.bm25\.metrics\.NDCG@10: 0\.7133 is not what the stored baseline run beir-e5-small-v2\/scifact\.lexical\.bm25\.trec scores \(NDCG@10 0\.6633/);
      await expect(readFile(join(dir, 'never'))).rejects.toThrow(/ENOENT/);
    }, 300_000);
  });

  describe.skipIf(!withNode)('approximate conditions (OpenSearch HNSW): OK* only when an equivalence test shows the change is small', () => {
    let matrix: string;
    const qrelsFile = join(SHARED_BEIR, 'scifact', 'qrels', 'test.tsv');
    let tonight: RunLine[];
    beforeAll(async () => {
      client ??= rawClient();
      matrix = join(dir, 'hnsw.yaml');
      await writeFile(
        matrix,
        [
          'systems:',
          '  - { id: knn, model: intfloat/e5-small-v2, prefix: asymmetric, engine: opensearch-knn }',
          'datasets:',
          `  - { dataset: scifact, maxQueries: 40, maxDocs: 300 }`,
          `  - { dataset: scifact, maxQueries: 20, maxDocs: 300 }`,
          '',
        ].join('\n'),
      );
      const update = await regress(matrix, '--update');
      expect(update.code).toBe(0);
      tonight = parseRun(await readFile(join(dir, 'hnsw', 'scifact.q40.d300.knn.trec'), 'utf8'));
    }, 900_000);

    /** The run with one query's relevant doc moved down one rank, as deep in the ranking as any query allows (a small change). */
    async function nudged(lines: RunLine[]): Promise<RunLine[]> {
      const qrels = await readQrels(qrelsFile);
      let best: { qid: string; at: number } | null = null;
      for (const [qid, rows] of byQuery(lines)) {
        const relevant = (r: number) => (qrels.get(qid)!.get(rows[r].doc) ?? 0) > 0;
        for (let r = rows.length - 2; r >= 1; r--) {
          if (relevant(r) && !relevant(r + 1) && (!best || r > best.at)) best = { qid, at: r };
        }
      }
      if (!best) throw new Error('no query with a relevant doc below rank 1 to move');
      const { qid, at } = best;
      return [...byQuery(lines)].flatMap(([q, rows]) => (q === qid ? [...rows.slice(0, at), rows[at + 1], rows[at], ...rows.slice(at + 2)] : rows));
    }

    it('reproduced: OK; a small change on enough queries: OK* with its interval inside the margin', async () => {
      expect((await regress(matrix)).stdout).toMatch(/2 conditions, 6 checks: 6 OK/);
      await replaceBaseline(matrix, 0, 'knn', qrelsFile, writeRun(await nudged(tonight)));
      // One query of 40 changed by up to 0.17: its bootstrap interval reaches about 3 x 0.17 / 40.
      await editMatrix(matrix, [[['datasets', 0, 'margin'], 0.05]]);
      const r = await regress(matrix);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/NDCG@10 +│ 0\.\d{4} +│ 0\.\d{4} +│ [+-]0\.\d{4} +│ 1\/40 +│ \[[+-]0\.\d{4}, [+-]0\.\d{4}\] in ±0\.05 +│ OK\* /);
      expect(r.stdout).toMatch(/scifact\.q40\.d300\/knn NDCG@10: .*: OK\*, 1 of 40 queries changed; 95% CI of the mean change \[[+-]0\.\d{4}, [+-]0\.\d{4}\] within ±0\.05/);
    }, 900_000);

    it('a large change fails with its interval; a margin that holds the interval accepts it', async () => {
      // Ten queries lose every relevant doc they found: far more than ±0.05.
      const qrels = await readQrels(qrelsFile);
      const relevant = (l: RunLine) => (qrels.get(l.qid)!.get(l.doc) ?? 0) > 0;
      const hurt = new Set([...byQuery(tonight)].filter(([, rows]) => rows.some(relevant)).slice(0, 10).map(([q]) => q));
      await replaceBaseline(matrix, 0, 'knn', qrelsFile, writeRun(tonight.filter((l) => !(hurt.has(l.qid) && relevant(l)))));
      const r = await regress(matrix);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/scifact\.q40\.d300\/knn NDCG@10: .*: FAIL, 10 of 40 queries changed; 95% CI of the mean change \[\+0\.\d{4}, \+0\.\d{4}\] not within ±0\.05: the change is not shown to be small/);
      await editMatrix(matrix, [[['datasets', 0, 'margin'], 0.5]]);
      expect((await regress(matrix)).stdout).toMatch(/scifact\.q40\.d300\/knn NDCG@10: .*: OK\*, 10 of 40 queries changed/);
    }, 900_000);

    it(`too few queries (20 < ${MIN_EQUIVALENCE_QUERIES}) to show a change is small: FAIL, never OK*`, async () => {
      const run20 = parseRun(await readFile(join(dir, 'hnsw', 'scifact.q20.d300.knn.trec'), 'utf8'));
      await replaceBaseline(matrix, 1, 'knn', qrelsFile, writeRun(await nudged(run20)));
      await editMatrix(matrix, [[['datasets', 1, 'margin'], 0.5]]);
      const r = await regress(matrix);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`FAIL, 1 of 20 queries changed: too few queries to show the change is within ±0.5 (an equivalence test needs ${MIN_EQUIVALENCE_QUERIES})`);
    }, 900_000);
  });
});

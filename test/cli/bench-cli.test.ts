import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as cli } from '../helpers/cli.js';
import { hasSharedBeir, itWithShared, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { warnIfNoModels } from '../helpers/models.js';
import { checkResults } from '../../src/results/read-results.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'beir-bench-cli-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function onlyResultDir(parent: string): Promise<string> {
  const entries = (await readdir(parent)).filter((e) => !e.startsWith('.'));
  expect(entries).toHaveLength(1);
  return join(parent, entries[0]);
}

describe('beir-bench bench on the tiny fixture (BM25 arm, no model needed)', () => {
  it('removes the self hit by default: every query finds its relevant passage at rank 1', async () => {
    const dest = join(out, 'self-hits-removed');
    const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'bm25', '--out', dest, '--format', 'json', '--quiet']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    await checkResults(json, 'stdout');
    const arm = json.datasets[0].systems[0];
    // q1, q2, q3 each have one relevant doc retrieved at rank 1 -> NDCG@10 = MAP@10 = Recall@10 = 1.
    expect(arm.mean).toEqual({ 'ndcg_cut.10': 1, 'map_cut.10': 1, 'recall.10': 1 });
    expect(arm.queriesScored).toBe(3);
    const dir = await onlyResultDir(dest);
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.md', 'results.json', 'runs', 'scores-scifact.svg']);
    const runFile = await readFile(join(dir, 'runs', 'scifact.bm25.trec'), 'utf8');
    expect(runFile).toMatch(/^q3 Q0 d4 1 /m);
    expect(runFile).not.toMatch(/^q3 Q0 q3 /m);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toMatch(/\| Dataset \| Bias \| Metric \| BM25 \|/);
  });

  it('keeps the self hit with --no-ignore-identical-ids: q3 drops to rank 2', async () => {
    const r = await cli([
      'bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'bm25', '--out', join(out, 'self-hits-kept'),
      '--no-ignore-identical-ids', '--format', 'json', '--quiet',
    ]);
    expect(r.code).toBe(0);
    const mean = JSON.parse(r.stdout).datasets[0].systems[0].mean;
    // q3's relevant doc at rank 2: NDCG = 1/log2(3) = 0.63093, MAP = 1/2. Means over 3 queries.
    expect(mean['ndcg_cut.10']).toBeCloseTo((2 + 1 / Math.log2(3)) / 3, 12);
    expect(mean['map_cut.10']).toBeCloseTo(2.5 / 3, 12);
    expect(mean['recall.10']).toBe(1);
  });
});

describe('beir-bench bad input', () => {
  it('names the valid datasets for an unknown one', async () => {
    const r = await cli(['bench', '--dataset', 'scifakt', '--data-dir', FIXTURE, '--arms', 'bm25', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown dataset "scifakt".*scifact.*nfcorpus/s);
  });

  it('names the registry for an unknown model', async () => {
    const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--model', 'nobody/nothing', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nobody\/nothing/);
    expect(r.stderr).toMatch(/intfloat\/e5-small-v2/);
  });

  it('names the missing dataset folder', async () => {
    const r = await cli(['bench', '--dataset', 'nfcorpus', '--data-dir', FIXTURE, '--arms', 'bm25', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(FIXTURE, 'nfcorpus'));
  });

  itWithShared('names the missing file inside a dataset folder', async () => {
    // shared/beir/trec-covid has queries and qrels but no corpus.jsonl.
    const r = await cli(['bench', '--dataset', 'trec-covid', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/corpus\.jsonl/);
  });

  it('rejects an unknown arm and lists the valid ones', async () => {
    const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'symmetric,sparse', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sparse.*asymmetric/s);
  });

  it('refuses --arms together with --systems, and a model it does not know without its settings', async () => {
    const both = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'bm25', '--systems', 'x.yaml', '--out', out]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--systems and --arms both name the systems/);
    const twoFiles = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--systems', 'a.yaml', '--systems', 'b.yaml', '--out', out]);
    expect(twoFiles.code).toBe(2);
    expect(twoFiles.stderr).toMatch(/--systems takes one file/);
    const unknown = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--model', 'someone/new-model', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/"someone\/new-model" is not in the registry .*missing --query-prefix, --passage-prefix, --pooling, --normalize, --max-length, --dimension/);
  });

  it('adds up a repeated --arms, as a repeated --dataset', async () => {
    const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'bm25', '--arms', 'bm25', '--out', join(out, 'repeated'), '--format', 'json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).systems.map((s: { id: string }) => s.id)).toEqual(['bm25']);
  });

  it('runs the systems of a --systems file, naming each as declared', async () => {
    const dir = await mkdtemp(join(out, 'systems-'));
    const file = join(dir, 'systems.yaml');
    await writeFile(file, 'systems:\n  - engine: bm25\n    id: lexical\n    label: Plain BM25\n');
    const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--systems', file, '--out', join(dir, 'out'), '--format', 'markdown', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| Dataset \| Bias \| Metric \| Plain BM25 \|/);
    expect(r.stdout).toMatch(/\*\*Plain BM25\*\* \(`lexical`\): embedded BM25/);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'systems:\n  - engine: bm25\n    labl: x\n');
    const e = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--systems', bad, '--out', join(dir, 'out')]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(`${bad}:3: systems[0].labl: unknown field`);
  });

  it('runs part of a --systems file with --only, keeping the named pairs between the systems it runs', async () => {
    const dir = await mkdtemp(join(out, 'only-'));
    const file = join(dir, 'systems.yaml');
    await writeFile(file, 'systems:\n  - { engine: bm25, id: a }\n  - { fusion: rrf, components: [a, a], id: b }\n  - { fusion: linear, components: [a, a], id: c }\ncomparisons: ["b vs a", "c vs a", "c vs b"]\n');
    const run = async (only: string) => {
      const r = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--systems', file, '--only', only, '--out', join(dir, 'out'), '--format', 'json', '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout);
      await checkResults(json, 'stdout');
      return { systems: json.systems.map((s: { id: string }) => s.id), pairs: json.datasets[0].comparisons.map((c: { system: string; baseline: string }) => `${c.system} vs ${c.baseline}`) };
    };
    expect(await run('c,a')).toEqual({ systems: ['a', 'c'], pairs: ['c vs a'] });
    expect(await run('b')).toEqual({ systems: ['b'], pairs: [] });
    const unknown = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--systems', file, '--only', 'a,d', '--out', join(dir, 'out')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`--only (${file}): no system "d"; the systems are a, b, c`);
    const noFile = await cli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'bm25', '--only', 'bm25', '--out', join(dir, 'out')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/--only picks systems of a --systems file/);
  });

  itWithShared('leaves no result folder behind when a run fails', async () => {
    const dest = join(out, 'failed');
    await cli(['bench', '--dataset', 'trec-covid', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--out', dest]);
    const left = await readdir(dest).catch(() => [] as string[]);
    expect(left).toEqual([]);
  });

  it('documents every bench option in --help', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.code).toBe(0);
    // yargs shows the one-letter --k as -k.
    for (const opt of ['--dataset', '--split', '--model', '--arms', '--systems', '--query-prefix', '--pooling', '--dimension', '-k', '--backend', '--data-dir', '--models-dir', '--mirror', '--out', '--max-queries', '--max-docs', '--dtype']) {
      expect(r.stdout).toContain(opt);
    }
  });
});

const modelsDir = warnIfNoModels('real-model bench runs');

describe.skipIf(!modelsDir || !hasSharedBeir())('beir-bench bench with the real e5-small-v2 on a slice of SciFact', () => {
  it('runs both systems, records the exact prefixes, and scores in a sane range', async () => {
    const dest = join(out, 'real-model');
    const r = await cli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-queries', '20', '--max-docs', '100',
      '--out', dest, '--format', 'json', '--quiet', '--no-cache', '--permutations', '1000',
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    await checkResults(json, 'stdout');
    expect(json.systems.map((s: { id: string; label: string }) => [s.id, s.label])).toEqual([
      ['e5-small-v2.symmetric', 'Symmetric'],
      ['e5-small-v2.asymmetric', 'Asymmetric'],
    ]);
    const [sym, asym] = json.datasets[0].systems;
    expect(asym.inputs.queries.example.startsWith('query: ')).toBe(true);
    expect(asym.inputs.passages.example.startsWith('passage: ')).toBe(true);
    expect(sym.inputs.queries.example.startsWith('query: ')).toBe(false);
    expect(asym.encoder.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    // 20 queries against 100 passages that include all their relevant ones (21 of the 100): E5 finds most of them;
    // a ranking by chance would put a relevant passage in the top 10 for about one query in ten.
    expect(asym.mean['ndcg_cut.10']).toBeGreaterThan(0.6);
    expect(sym.mean['ndcg_cut.10']).toBeGreaterThan(0.3);
    expect(json.datasets[0].comparisons[0].metrics).toHaveLength(3);
    expect(json.datasets[0].invariantViolations).toEqual([]);
  }, 900_000);
});

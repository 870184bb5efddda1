/**
 * `beir-bench regress` as a user runs it, on the tiny BM25 fixture (known by hand: every query finds its
 * relevant passage at rank 1, so NDCG@10 = MAP@10 = Recall@10 = 1; q1's second hit is d3).
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { runCli } from '../helpers/cli.js';
import { copyTiny, editMatrix, junitErrors, matrixValue } from './helpers.js';

let dir: string;
let data: string;
let matrix: string;
let fresh: string;

const MATRIX = `# The tiny fixture's regression matrix (comments survive --update).
systems:
  - engine: bm25   # embedded BM25
datasets:
  - dataset: scifact
    tags: [ci]
`;

const regress = (file: string, ...args: string[]) =>
  runCli(['regress', '--matrix', file, '--data-dir', data, '--out', join(dir, 'out'), '--quiet', '--permutations', '2000', ...args]);

/** A fresh copy of the recorded matrix (and its baseline run) for one test to change. */
async function copyOfRecorded(name: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, fresh);
  await mkdir(join(dir, name), { recursive: true });
  await cp(join(dir, 'tiny', 'scifact.bm25.trec'), join(dir, name, 'scifact.bm25.trec'));
  await editMatrix(file, [[['datasets', 0, 'expected', 'bm25', 'baselineRun'], `${name}/scifact.bm25.trec`]]);
  return file;
}

let recorded: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-regress-'));
  data = await copyTiny(dir);
  matrix = join(dir, 'tiny.yaml');
  await writeFile(matrix, MATRIX);
  recorded = await regress(matrix, '--update');
  fresh = await readFile(matrix, 'utf8');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regress on the tiny fixture (BM25)', () => {
  it('--update records expected values, inputs and the baseline run, keeps comments, and round-trips', async () => {
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/scifact\/bm25 NDCG@10: \(none\) -> 1\.0000/);
    expect(recorded.stdout).toMatch(/scifact inputs recorded: sha256 of corpus\.jsonl, queries\.jsonl, qrels\/test\.tsv; corpus statistics/);
    expect(recorded.stdout).toMatch(/scifact\/bm25 baseline run tiny\/scifact\.bm25\.trec: written/);
    expect(fresh).toMatch(/^# The tiny fixture's regression matrix/);
    expect(fresh).toMatch(/engine: bm25 # embedded BM25/);
    expect(await matrixValue(matrix, ['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'])).toBe(1);
    expect(await matrixValue(matrix, ['datasets', 0, 'inputs', 'stats', 'docs'])).toBe(6);
    expect(await readFile(join(dir, 'tiny', 'scifact.bm25.trec'), 'utf8')).toMatch(/^q1 Q0 d1 1 .*\nq1 Q0 d3 2 /);

    // Updating again from an unchanged run changes nothing, byte for byte.
    const again = await regress(matrix, '--update');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no changes/);
    expect(await readFile(matrix, 'utf8')).toBe(fresh);

    // A changed expectation is put back, and the diff says so.
    await editMatrix(matrix, [[['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'], 0.9]]);
    const back = await regress(matrix, '--update');
    expect(back.stdout).toMatch(/tiny\.yaml: 1 change\(s\), review and commit:\n  scifact\/bm25 MAP@10: 0\.9000 -> 1\.0000 \(\+0\.1000\)\n$/);
    expect(await matrixValue(matrix, ['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'])).toBe(1);
  });

  it('an unchanged run passes: exit 0, every check OK, valid JUnit, a markdown summary', async () => {
    const junit = join(dir, 'ok.xml');
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '# earlier step output\n');
    const r = await regress(matrix, '--junit', junit, '--summary', summary);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scifact\/bm25 │ NDCG@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ ±0\.001 +│ - +│ OK/);
    expect(r.stdout).toMatch(/1 condition, 3 checks: 3 OK, 0 OK\*, 0 FAIL, 0 CHANGED-INPUT/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuites name="beir-bench regress tiny" tests="3" failures="0" errors="0"/);
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/^# earlier step output\n## beir-bench regress tiny: passed\n/);
    expect(md).toMatch(/\| `scifact\/bm25` \| NDCG@10 \| 1\.0000 \| 1\.0000 \| \+0\.0000 \| ±0\.001 \| - \| OK \|/);
  });

  it('a shift within tolerance is OK', async () => {
    const file = await copyOfRecorded('within');
    await editMatrix(file, [[['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.9992]]);
    const r = await regress(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NDCG@10 +│ 0\.9992 +│ 1\.0000 +│ \+0\.0008 +│ ±0\.001 +│ - +│ OK /);
  });

  it('a shift outside tolerance that the paired test against the baseline run finds not significant is OK* (exit 0)', async () => {
    // Last night's run (the stored baseline) had q1's relevant passage at rank 2: NDCG@10 = (2 + 1/log2 3)/3, MAP@10 = 2.5/3.
    const file = await copyOfRecorded('noise');
    const run = await readFile(join(dir, 'noise', 'scifact.bm25.trec'), 'utf8');
    await writeFile(join(dir, 'noise', 'scifact.bm25.trec'), run.replace(/^q1 Q0 d1 1 (\S+)/m, 'q1 Q0 d3 1 $1').replace(/^q1 Q0 d3 2 (\S+)/m, 'q1 Q0 d1 2 $1'));
    await editMatrix(file, [
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.877],
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'], 0.8333],
    ]);
    const junit = join(dir, 'noise.xml');
    const r = await regress(file, '--junit', junit);
    expect(r.code).toBe(0);
    // One query of three differs: every sign flip is as extreme as the observed sum, p = 1.
    expect(r.stdout).toMatch(/NDCG@10 +│ 0\.8770 +│ 1\.0000 +│ \+0\.1230 +│ ±0\.001 +│ 1\.000 +│ OK\* /);
    expect(r.stdout).toMatch(/MAP@10 +│ 0\.8333 +│ 1\.0000 +│ \+0\.1667 +│ ±0\.001 +│ 1\.000 +│ OK\* /);
    expect(r.stdout).toMatch(/Recall@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ ±0\.001 +│ - +│ OK /);
    expect(r.stdout).toMatch(/scifact\/bm25 NDCG@10: expected 0\.8770, got 1\.0000 \(\+0\.1230, tolerance ±0\.001\): OK\*, not significant .*p = 1\.000 >= alpha 0\.05/);
    expect(r.stdout).toMatch(/3 checks: 1 OK, 2 OK\*, 0 FAIL/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<system-out>OK\*: expected 0\.8770 ± 0\.001, got 1\.0000/);
  });

  it('the same shift without a stored baseline run is a FAIL: exit 1, naming condition, metric, expected and got', async () => {
    const file = await copyOfRecorded('nobaseline');
    await editMatrix(file, [[['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.877]], [['datasets', 0, 'expected', 'bm25', 'baselineRun']]);
    const junit = join(dir, 'fail.xml');
    const r = await regress(file, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/scifact\/bm25 NDCG@10: expected 0\.8770, got 1\.0000 \(\+0\.1230, tolerance ±0\.001\): FAIL, no stored baseline run to test against/);
    expect(r.stdout).toMatch(/3 checks: 2 OK, 0 OK\*, 1 FAIL, 0 CHANGED-INPUT/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<failure type="FAIL" message="expected 0\.8770 ± 0\.001, got 1\.0000 \(\+0\.1230\); no stored baseline run to test against">/);
  });

  it('a changed dataset file is CHANGED-INPUT (exit 1), not a metric regression', async () => {
    const changed = join(dir, 'changed-data');
    await cp(data, changed, { recursive: true });
    const corpus = join(changed, 'scifact', 'corpus.jsonl');
    // d6 is nobody's relevant passage: the metrics stay 1, the input does not.
    await writeFile(corpus, (await readFile(corpus, 'utf8')).replace(/("_id": ?"d6".*"text": ?")/, '$1edited '));
    const junit = join(dir, 'changed.xml');
    const file = await copyOfRecorded('changed');
    const onChanged = (...args: string[]) => runCli(['regress', '--matrix', file, '--data-dir', changed, '--out', join(dir, 'out'), '--quiet', ...args]);
    const r = await onChanged('--junit', junit);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NDCG@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ ±0\.001 +│ - +│ CHANGED-INPUT/);
    expect(r.stdout).toMatch(/scifact\/bm25: CHANGED-INPUT, the matrix recorded other inputs: files\.corpus\.jsonl: [0-9a-f]{12}… -> [0-9a-f]{12}…; stats\.passageWordsAvg: /);
    expect(r.stdout).toMatch(/3 checks: 0 OK, 0 OK\*, 0 FAIL, 3 CHANGED-INPUT/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<error type="CHANGED-INPUT" message="inputs differ from the matrix: files\.corpus\.jsonl: /);

    // Accepting the new data is an --update: the diff names the input, and the next run passes.
    const update = await onChanged('--update');
    expect(update.stdout).toMatch(/scifact inputs files\.corpus\.jsonl: [0-9a-f]{12}… -> [0-9a-f]{12}…/);
    expect(update.stdout).not.toMatch(/NDCG@10/);
    expect((await onChanged()).code).toBe(0);
  });

  it('a malformed or incomplete matrix is exit 2 with file, line and field, before anything runs', async () => {
    const unrecorded = join(dir, 'unrecorded.yaml');
    await writeFile(unrecorded, MATRIX);
    const before = await regress(unrecorded);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/unrecorded\.yaml:5: datasets\[0\]: scifact\/bm25 has no expected NDCG@10, MAP@10, Recall@10: run regress --update/);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, fresh.replace('NDCG@10: 1', 'NDCG@10: high'));
    const r = await regress(bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml:\d+: datasets\[0\]\.expected\.bm25\.metrics\.NDCG@10: expected a metric value between 0 and 1, got "high"\n$/);
    const missingRun = await copyOfRecorded('gone');
    await rm(join(dir, 'gone', 'scifact.bm25.trec'));
    const g = await regress(missingRun);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/gone\.yaml:\d+: datasets\[0\]\.expected\.bm25\.baselineRun: stored baseline run .*gone\/scifact\.bm25\.trec is missing/);
    const tag = await regress(matrix, '--tag', 'nightly-only');
    expect(tag.code).toBe(2);
    expect(tag.stderr).toMatch(/no dataset entry carries the tag nightly-only; tags in .*tiny\.yaml: ci/);
  });

  it('--history appends one line per condition per run without rewriting; "regress history" charts it', async () => {
    const history = join(dir, 'history.jsonl');
    expect((await regress(matrix, '--history', history)).code).toBe(0);
    const first = await readFile(history, 'utf8');
    expect(first.trim().split('\n')).toHaveLength(1);
    const record = JSON.parse(first);
    expect(record).toMatchObject({ v: 1, matrix: 'tiny', condition: 'scifact/bm25', system: 'bm25', verdict: 'OK', slice: { maxQueries: null, maxDocs: null } });
    expect(record.metrics['ndcg_cut.10']).toEqual({ expected: 1, got: 1, delta: 0, tolerance: 0.001, pValue: null, verdict: 'OK' });
    expect(record.git.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(record.versions.node).toBe(process.version);
    expect(record.inputs.dataset.files['corpus.jsonl']).toMatch(/^[0-9a-f]{64}$/);

    // The next night, the same matrix with a hand-shifted expectation (restored afterwards).
    await editMatrix(matrix, [[['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.9995]]);
    expect((await regress(matrix, '--history', history)).code).toBe(0);
    await writeFile(matrix, fresh);
    const second = await readFile(history, 'utf8');
    expect(second.startsWith(first)).toBe(true);
    expect(second.trim().split('\n')).toHaveLength(2);

    const chart = join(dir, 'trend.svg');
    const h = await runCli(['regress', 'history', history, '--chart', chart, '--metric', 'NDCG@10']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/scifact\/bm25 │ NDCG@10 │ 2 +│/);
    expect(h.stdout).not.toMatch(/MAP@10/);
    const svg = await readFile(chart, 'utf8');
    const root = create(svg).root();
    expect(root.node.nodeName).toBe('svg');
    expect(svg).toContain('scifact/bm25');
    expect(svg).toContain('NDCG@10');

    await writeFile(join(dir, 'broken.jsonl'), `${first}not json\n`);
    const broken = await runCli(['regress', 'history', join(dir, 'broken.jsonl')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.jsonl:2: not JSON/);
  });

  it('names what is missing on the command line; regress history takes only its own options', async () => {
    const help = await runCli(['regress', 'history', '--help']);
    expect(help.stdout).toMatch(/--chart/);
    expect(help.stdout).not.toMatch(/--data-dir|--matrix|--opensearch-url/);

    const r = await runCli(['regress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: name a matrix: regress --matrix regressions\/NAME\.yaml/);
    const u = await regress(matrix, '--update', '--history', join(dir, 'h.jsonl'));
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--update records new expectations and judges nothing: drop --history/);
  });
});

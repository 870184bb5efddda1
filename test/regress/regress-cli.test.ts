/**
 * `beir-bench regress` as a user runs it, on the tiny BM25 fixture (known by hand: every query finds its
 * relevant passage at rank 1, so NDCG@10 = MAP@10 = Recall@10 = 1; q1's second hit is d3). Embedded BM25 is
 * deterministic: it passes only when it reproduces its stored baseline run.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { runCli } from '../helpers/cli.js';
import { reorderedCopy } from '../helpers/reordered-dataset.js';
import { copyTiny, editMatrix, junitErrors, matrixValue, toOldLayout } from './helpers.js';

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
    expect(recorded.stdout).toMatch(/scifact inputs recorded: content digest and sha256 of corpus\.jsonl, queries\.jsonl, qrels\/test\.tsv; corpus statistics/);
    expect(recorded.stdout).toMatch(/scifact\/bm25 baseline run tiny\/scifact\.bm25\.trec: written/);
    expect(fresh).toMatch(/^# The tiny fixture's regression matrix/);
    expect(fresh).toMatch(/engine: bm25 # embedded BM25/);
    expect(await matrixValue(matrix, ['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'])).toBe(1);
    // The compact layout: the dataset's digests once at the top, the entry's statistics beside its conditions.
    expect(await matrixValue(matrix, ['datasets', 0, 'stats', 'docs'])).toBe(6);
    expect(await matrixValue(matrix, ['inputs', 'datasets', 'scifact', 'content', 'corpus.jsonl'])).toMatch(/^[0-9a-f]{64}$/);
    expect(await matrixValue(matrix, ['datasets', 0, 'inputs'])).toBeUndefined();
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

  it('an unchanged run passes: exit 0, every query reproduced, valid JUnit, a markdown summary', async () => {
    const junit = join(dir, 'ok.xml');
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '# earlier step output\n');
    const r = await regress(matrix, '--junit', junit, '--summary', summary);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scifact\/bm25 │ NDCG@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ 0\/3 +│ exact +│ OK/);
    expect(r.stdout).toMatch(/1 condition, 3 checks: 3 OK, 0 OK\*, 0 FAIL, 0 CHANGED-INPUT/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuites name="beir-bench regress tiny" tests="3" failures="0" errors="0"/);
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/^# earlier step output\n## beir-bench regress tiny: passed\n/);
    expect(md).toMatch(/\| `scifact\/bm25` \| NDCG@10 \| 1\.0000 \| 1\.0000 \| \+0\.0000 \| 0\/3 \| exact \| OK \|/);
  });

  it('expected values must be what the stored baseline run scores: a moved one is exit 2 naming file, line and field, before anything runs', async () => {
    // Within the tolerance of the stored rounding: accepted.
    const within = await copyOfRecorded('within');
    await editMatrix(within, [[['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.99995]]);
    expect((await regress(within)).code).toBe(0);
    // Every expected value moved by -0.05 (the stored run untouched): the matrix documents numbers never produced.
    const moved = await copyOfRecorded('moved');
    await editMatrix(moved, [
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.95],
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'], 0.95],
    ]);
    const r = await regress(moved, '--out', join(dir, 'never-written'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: .*moved\.yaml:\d+: datasets\[0\]\.expected\.bm25\.metrics\.NDCG@10: 0\.9500 is not what the stored baseline run moved\/scifact\.bm25\.trec scores \(NDCG@10 1\.0000, tolerance ±0\.0001\)/,
    );
    await expect(readFile(join(dir, 'never-written'))).rejects.toThrow(/ENOENT/);
    // A looser tolerance in the matrix accepts a hand-rounded value.
    await editMatrix(moved, [[['tolerance'], 0.06]]);
    expect((await regress(moved)).code).toBe(0);
  });

  it('a deterministic condition that does not reproduce its stored run FAILs, naming how many queries changed and the largest change', async () => {
    // Last night's run (the stored baseline, with the values it scores) had q1's relevant passage at rank 2:
    // NDCG@10 = (2 + 1/log2 3)/3, MAP@10 = 2.5/3. Tonight ranks it first again: a real change, even if an improvement.
    const file = await copyOfRecorded('changed-run');
    const run = await readFile(join(dir, 'changed-run', 'scifact.bm25.trec'), 'utf8');
    await writeFile(join(dir, 'changed-run', 'scifact.bm25.trec'), run.replace(/^q1 Q0 d1 1 (\S+)/m, 'q1 Q0 d3 1 $1').replace(/^q1 Q0 d3 2 (\S+)/m, 'q1 Q0 d1 2 $1'));
    await editMatrix(file, [
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'NDCG@10'], 0.877],
      [['datasets', 0, 'expected', 'bm25', 'metrics', 'MAP@10'], 0.8333],
    ]);
    const junit = join(dir, 'changed-run.xml');
    const r = await regress(file, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NDCG@10 +│ 0\.8770 +│ 1\.0000 +│ \+0\.1230 +│ 1\/3 +│ exact +│ FAIL /);
    expect(r.stdout).toMatch(/MAP@10 +│ 0\.8333 +│ 1\.0000 +│ \+0\.1667 +│ 1\/3 +│ exact +│ FAIL /);
    expect(r.stdout).toMatch(/Recall@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ 0\/3 +│ exact +│ OK /);
    expect(r.stdout).toContain(
      'scifact/bm25 NDCG@10: expected 0.8770, got 1.0000 (+0.1230): FAIL, 1 of 3 queries changed: a deterministic condition must reproduce its stored baseline run; largest: q1 0.6309 -> 1.0000',
    );
    expect(r.stdout).toMatch(/3 checks: 1 OK, 0 OK\*, 2 FAIL/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<failure type="FAIL" message="expected 0\.8770, got 1\.0000 \(\+0\.1230\); 1 of 3 queries changed: a deterministic condition must reproduce its stored baseline run">/);
  });

  it('a condition without a stored baseline run cannot be judged: exit 2 before anything runs', async () => {
    const file = await copyOfRecorded('nobaseline');
    await editMatrix(file, [], [['datasets', 0, 'expected', 'bm25', 'baselineRun']]);
    const r = await regress(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nobaseline\.yaml:\d+: datasets\[0\]\.expected\.bm25: scifact\/bm25 has no baselineRun \(tonight's run is judged against it\): run regress --update/);
  });

  it('the same records in another layout (line order, CRLF, key order, escapes) are the same input: the run passes', async () => {
    const reordered = join(dir, 'reordered');
    await reorderedCopy(join(data, 'scifact'), join(reordered, 'scifact'));
    const file = await copyOfRecorded('reordered');
    const r = await runCli(['regress', '--matrix', file, '--data-dir', reordered, '--out', join(dir, 'out'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 checks: 3 OK, 0 OK\*, 0 FAIL, 0 CHANGED-INPUT/);
    expect(r.stdout).toMatch(/scifact\/bm25: note: the dataset files' bytes changed, their records did not \(files\.corpus\.jsonl: /);
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
    expect(r.stdout).toMatch(/NDCG@10 +│ 1\.0000 +│ 1\.0000 +│ \+0\.0000 +│ 0\/3 +│ exact +│ CHANGED-INPUT/);
    expect(r.stdout).toMatch(/scifact\/bm25: CHANGED-INPUT, the matrix recorded other inputs: content\.corpus\.jsonl: [0-9a-f]{12}… -> [0-9a-f]{12}…; stats\.passageWordsAvg: /);
    expect(r.stdout).toMatch(/3 checks: 0 OK, 0 OK\*, 0 FAIL, 3 CHANGED-INPUT/);
    const xml = await readFile(junit, 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<error type="CHANGED-INPUT" message="inputs differ from the matrix: content\.corpus\.jsonl: /);

    // Accepting the new data is an --update: the diff names the input, and the next run passes.
    const update = await onChanged('--update');
    expect(update.stdout).toMatch(/scifact inputs content\.corpus\.jsonl: [0-9a-f]{12}… -> [0-9a-f]{12}…/);
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
    // Inputs recorded by a beir-bench before content digests cannot be compared: regress refuses, --update records them.
    const old = await copyOfRecorded('old-inputs');
    await toOldLayout(old);
    await editMatrix(old, [], [['datasets', 0, 'inputs', 'content']]);
    const o = await regress(old);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/old-inputs\.yaml:\d+: datasets\[0\]\.inputs: the recorded inputs have no content digests \(recorded by an older beir-bench\)/);
    const upgrade = await regress(old, '--update');
    expect(upgrade.stdout).toMatch(/scifact inputs content: none recorded, present now/);
    expect(await matrixValue(old, ['inputs', 'datasets', 'scifact', 'content', 'corpus.jsonl'])).toMatch(/^[0-9a-f]{64}$/);
    expect((await regress(old)).code).toBe(0);
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
    expect(record).toMatchObject({ v: 2, matrix: 'tiny', condition: 'scifact/bm25', system: 'bm25', kind: 'deterministic', verdict: 'OK', slice: { maxQueries: null, maxDocs: null } });
    expect(record.metrics['ndcg_cut.10']).toEqual({ expected: 1, got: 1, delta: 0, margin: 0, queries: 3, changed: 0, largest: [], ci95: null, verdict: 'OK', reason: '' });
    expect(record.git.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(record.versions.node).toBe(process.version);
    expect(record.inputs.dataset.content['corpus.jsonl']).toMatch(/^[0-9a-f]{64}$/);

    // The next night.
    expect((await regress(matrix, '--history', history)).code).toBe(0);
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

    // A version 1 record (before verdicts compared runs) is still read: its tolerance is the band.
    const v1 = { ...record, v: 1, metrics: { 'ndcg_cut.10': { expected: 1, got: 0.9995, delta: -0.0005, tolerance: 0.001, pValue: null, verdict: 'OK' } } };
    delete v1.kind;
    await writeFile(join(dir, 'v1.jsonl'), `${JSON.stringify(v1)}\n${first}`);
    const old = await runCli(['regress', 'history', join(dir, 'v1.jsonl')]);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/scifact\/bm25 │ NDCG@10 +│ 2 +│ .* │ 1\.0000 +│ 0\.9995 │ 1\.0000 │ OK/);

    await writeFile(join(dir, 'broken.jsonl'), `${first}not json\n`);
    const broken = await runCli(['regress', 'history', join(dir, 'broken.jsonl')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.jsonl:2: not JSON/);
  });

  it('an old-layout matrix is judged as before; regress convert rewrites it compact, every value kept, the verdicts the same', async () => {
    const old = await copyOfRecorded('layout');
    await toOldLayout(old);
    const oldText = await readFile(old, 'utf8');
    expect(oldText).toMatch(/\n    inputs:\n      content:/);
    const judged = await regress(old);
    expect(judged.code).toBe(0);
    expect(judged.stdout).toMatch(/3 checks: 3 OK, 0 OK\*, 0 FAIL, 0 CHANGED-INPUT/);

    // Beside it, in another folder: the stored run stays where it is, named relative to the new file.
    const elsewhere = join(dir, 'converted', 'layout.yaml');
    const beside = await runCli(['regress', 'convert', old, '--out', elsewhere]);
    expect(beside.code).toBe(0);
    expect(beside.stderr).toMatch(/layout\.yaml: compact layout, \d+ -> \d+ lines; every expected value, recorded input and baseline run kept/);
    expect(await matrixValue(elsewhere, ['datasets', 0, 'expected', 'bm25', 'baselineRun'])).toBe('../layout/scifact.bm25.trec');
    expect(await readFile(old, 'utf8')).toBe(oldText);

    // In place: the same checks, the same verdicts.
    expect((await runCli(['regress', 'convert', old])).code).toBe(0);
    const compact = await readFile(old, 'utf8');
    expect(compact).toMatch(/^# The tiny fixture's regression matrix/);
    expect(await matrixValue(old, ['inputs', 'datasets', 'scifact', 'content'])).toBeDefined();
    expect(await matrixValue(old, ['datasets', 0, 'inputs'])).toBeUndefined();
    expect(await matrixValue(old, ['datasets', 0, 'expected', 'bm25', 'baselineRun'])).toBe('layout/scifact.bm25.trec');
    for (const file of [old, elsewhere]) expect((await regress(file)).stdout).toBe(judged.stdout);
    // Converting a compact matrix changes nothing.
    expect((await runCli(['regress', 'convert', old])).code).toBe(0);
    expect(await readFile(old, 'utf8')).toBe(compact);

    // --update of an old-layout matrix from an unchanged run: no value moves, yet the file comes back compact; said so.
    const updated = await copyOfRecorded('layout-update');
    await toOldLayout(updated);
    const u = await regress(updated, '--update');
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/layout-update\.yaml: no value changed, but the file was rewritten in the compact layout/);
    expect(await matrixValue(updated, ['datasets', 0, 'inputs'])).toBeUndefined();
    expect((await regress(updated, '--update')).stdout).toMatch(/layout-update\.yaml: no changes/);

    const missing = await runCli(['regress', 'convert', join(dir, 'nowhere.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read regression matrix .*nowhere\.yaml: ENOENT/);
  });

  it('--update of some entries cannot leave the others with a record the compact layout shares: exit 2, nothing written', async () => {
    const changed = join(dir, 'changed-two');
    await cp(data, changed, { recursive: true });
    const file = join(dir, 'two.yaml');
    await writeFile(file, `${MATRIX}  - dataset: scifact\n    name: scifact.nightly\n`);
    const onData = (from: string, ...args: string[]) => runCli(['regress', '--matrix', file, '--data-dir', from, '--out', join(dir, 'out'), '--quiet', ...args]);
    expect((await onData(data, '--update')).code).toBe(0);
    const before = await readFile(file, 'utf8');
    const corpus = join(changed, 'scifact', 'corpus.jsonl');
    await writeFile(corpus, (await readFile(corpus, 'utf8')).replace(/("_id": ?"d6".*"text": ?")/, '$1edited '));
    const r = await onData(changed, '--update', '--tag', 'ci');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/two\.yaml:\d+: datasets\[0\] and .*two\.yaml:\d+: datasets\[1\]\.stats record different content\.corpus\.jsonl of scifact: the compact layout records it once, .*regress --update without --tag/);
    expect(await readFile(file, 'utf8')).toBe(before);
    // Updating every entry records the new data for both.
    expect((await onData(changed, '--update')).code).toBe(0);
    expect((await onData(changed)).code).toBe(0);
  });

  it('names what is missing on the command line; regress history and convert take only their own options', async () => {
    const help = await runCli(['regress', 'history', '--help']);
    expect(help.stdout).toMatch(/--chart/);
    expect(help.stdout).not.toMatch(/--data-dir|--matrix|--opensearch-url/);
    const convertHelp = await runCli(['regress', 'convert', '--help']);
    expect(convertHelp.stdout).toMatch(/--out/);
    expect(convertHelp.stdout).not.toMatch(/--data-dir|--matrix|--update/);

    const r = await runCli(['regress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: name a matrix: regress --matrix regressions\/NAME\.yaml/);
    const u = await regress(matrix, '--update', '--history', join(dir, 'h.jsonl'));
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--update records new expectations and judges nothing: drop --history/);
  });
});

/**
 * Fault suite, outputs (docs/RELIABILITY.md): processes writing the same places at once, and a full disk under the
 * results. BM25 only (no model), on the tiny fixture and a SciFact slice, the real CLI in child processes.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/regress/history.js';
import { REPO_ROOT, SHARED_BEIR, itWithShared } from '../helpers/shared.js';
import { checkOutFolder, finished, record, runCli, scoresOf, stoppedWithOneError } from './harness.js';
import { smallDisk } from './small-disk.js';

const TINY = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
const tinyBench = (out: string) => ['bench', '--dataset', 'scifact', '--data-dir', TINY, '--arms', 'bm25', '--permutations', '200', '--quiet', '--out', out];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'beir-bench-faults-outputs-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runs started together write the same --out', () => {
  itWithShared('every run keeps its own complete results folder, printed by that run (issue 21\'s reproduction, with BM25)', async () => {
    const out = join(work, 'together');
    const args = ['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--max-docs', '400', '--max-queries', '40', '--permutations', '200', '--quiet', '--out', out];
    const printed: string[] = [];
    let scores: unknown;
    for (let round = 0; round < 3; round++) {
      for (const run of await Promise.all([runCli(args), runCli(args)])) {
        const { results, dir } = await finished(run);
        printed.push(dir.split('/').at(-1)!);
        scores ??= scoresOf(results);
        expect(scoresOf(results)).toEqual(scores);
      }
    }
    expect(new Set(printed).size).toBe(6);
    expect((await checkOutFolder(out)).sort()).toEqual([...printed].sort());
    const sameSecond = printed.filter((id) => /-\d+$/.test(id.replace(/-bm25$/, ''))).length;
    record('two runs at once (same --out)', { outcome: 'all finished', folders: 6, printedOnce: true, takenNamesSuffixed: sameSecond });
  }, 600_000);
});

describe('two regress runs at once: same --history, --summary and --out', () => {
  it('both histories are there, whole lines, and both run folders', async () => {
    const dir = join(work, 'regress');
    const matrix = join(work, 'tiny.yaml');
    await writeFile(matrix, 'systems:\n  - engine: bm25\ndatasets:\n  - dataset: scifact\n    tags: [ci]\n');
    const regress = (...args: string[]) =>
      runCli(['regress', '--matrix', matrix, '--data-dir', TINY, '--out', join(dir, 'out'), '--quiet', '--permutations', '200', ...args]);
    expect((await regress('--update')).code).toBe(0);
    const history = join(dir, 'history.jsonl');
    const summary = join(dir, 'summary.md');
    const runs = await Promise.all([1, 2].map(() => regress('--history', history, '--summary', summary)));
    for (const r of runs) expect(r.code).toBe(0);
    const records = await readHistory(history);
    expect(records).toHaveLength(2);
    expect(new Set(records.map((r) => r.runId)).size).toBe(2);
    expect((await readFile(summary, 'utf8')).match(/^#+ .*beir-bench regress/gm)).toHaveLength(2);
    // The --update run's folder, and one for each of the two runs.
    const folders = await readdir(join(dir, 'out', 'tiny', 'scifact'));
    expect(folders).toHaveLength(3);
    expect(folders).toEqual(expect.arrayContaining(records.map((r) => r.runId)));
    await checkOutFolder(join(dir, 'out', 'tiny', 'scifact'));
    record('two regress runs at once (same history, summary, --out)', { outcome: 'both finished', historyRecords: records.length, runFolders: folders.length });
  }, 600_000);

  it('two --update runs of one matrix: one applies; one that would overwrite it stops; the matrix and its baseline run agree', async () => {
    const dir = join(work, 'regress-update');
    const matrix = join(dir, 'tiny.yaml');
    await mkdir(dir, { recursive: true });
    await writeFile(matrix, 'systems:\n  - engine: bm25\ndatasets:\n  - dataset: scifact\n');
    const regress = (...args: string[]) =>
      runCli(['regress', '--matrix', matrix, '--data-dir', TINY, '--out', join(dir, 'out'), '--quiet', '--permutations', '200', ...args]);
    const updates = await Promise.all([regress('--update'), regress('--update')]);
    expect(updates.map((u) => u.code)).toContain(0);
    for (const u of updates.filter((r) => r.code !== 0)) {
      stoppedWithOneError(u, new RegExp(`^error: ${matrix} was changed by another process while this one ran: not replaced, nothing written`));
    }
    // Whatever the interleaving, what the matrix expects is what its stored baseline run scores.
    expect((await regress()).code).toBe(0);
    record('two regress --update at once', { outcome: updates.every((u) => u.code === 0) ? 'both applied, one after the other' : 'one applied, the other stopped with one error' });
  }, 300_000);
});

describe('two reports written to one --out folder at once', () => {
  it('one report or the other, whole; a process that would replace a report it never saw stops with one clear error', async () => {
    const bench = await runCli(tinyBench(join(work, 'report-runs')));
    const { dir: run } = await finished(bench);
    const dest = join(work, 'report');
    const [a, b] = await Promise.all([
      runCli(['report', run, '--format', 'md', '--out', dest]),
      runCli(['report', run, '--format', 'html', '--out', dest]),
    ]);
    for (const r of [a, b]) {
      if (r.code !== 0) stoppedWithOneError(r, new RegExp(`^error: ${dest} was (created|changed) by another process while this one ran: not replaced, nothing written`));
    }
    expect([a.code, b.code]).toContain(0);
    const files = (await readdir(dest)).sort();
    expect(files.filter((f) => f.startsWith('report.'))).toHaveLength(1);
    expect(files.every((f) => /^report\.(md|html)$|\.svg$/.test(f))).toBe(true);
    expect((await readdir(work)).filter((f) => f.startsWith('.report'))).toEqual([]);
    record('two reports at once (same --out)', { outcome: a.code === 0 && b.code === 0 ? 'both finished, the later replaced the earlier' : 'one finished, the other stopped with one error' });
  }, 300_000);
});

describe('a full disk under the results folder', () => {
  it('one clear error, no results folder and no temp files; a rerun with space completes', async () => {
    const disk = await smallDisk(1 << 20);
    try {
      const out = join(disk.dir, 'results');
      await disk.fill(4096);
      const full = await runCli(tinyBench(out), disk.child());
      stoppedWithOneError(full, new RegExp(`^error: cannot write ${out}/.*: no space left on the device \\(ENOSPC\\); nothing was left half-written$`));
      expect(await readdir(out).catch(() => [])).toEqual([]);
      await disk.unfill();
      const again = await runCli(tinyBench(out), disk.child());
      await finished(again);
      expect(await checkOutFolder(out)).toHaveLength(1);
      record('full disk while writing results', { how: disk.how, outcome: 'stopped with one error; rerun finished', seconds: full.seconds + again.seconds });
    } finally {
      await disk.release();
    }
  }, 300_000);
});

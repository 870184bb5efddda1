/**
 * The fault suite's common ground (docs/RELIABILITY.md): the CLI as a real child process that a test can signal,
 * a SciFact slice small enough for CI, the scores of a run, and the checks every case ends with: nothing
 * half-written in the output and cache folders, a readable cache.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { segmentKeys, segmentVectors } from '../../src/embed/segment-file.js';
import { INDEX_FILE, type StoreIndex } from '../../src/embed/vector-store.js';
import { checkResults } from '../../src/results/read-results.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { provisionedModelsDir } from '../helpers/models.js';
import { REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';

export const MODELS_DIR = provisionedModelsDir();

/**
 * `bench` on a SciFact slice: 40 passages (`maxDocs`), 10 queries, the symmetric and the asymmetric system (two
 * systems, so an interrupted run has one system's vectors persisted and the other's in flight), one thread, few
 * permutations.
 */
export function sliceArgs(out: string, cacheDir: string, opts: { arms?: string; maxDocs?: number; extra?: string[] } = {}): string[] {
  return [
    'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', MODELS_DIR ?? '', '--threads', '1',
    '--max-docs', String(opts.maxDocs ?? 40), '--max-queries', '10', '--arms', opts.arms ?? 'symmetric,asymmetric', '--permutations', '200',
    '--out', out, '--embed-cache-dir', cacheDir, '--quiet', ...(opts.extra ?? []),
  ];
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface CliProcess {
  child: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  done: Promise<CliRun>;
}

/**
 * `beir-bench <args>` (src/cli.ts through tsx) as a child process. `preload` modules are loaded first (--import):
 * the fault injectors of this folder.
 */
export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv; preload?: string[] } = {}): CliProcess {
  const started = performance.now();
  const imports = ['tsx', ...(opts.preload ?? [])].flatMap((m) => ['--import', m]);
  const child = spawn(process.execPath, [...imports, 'src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliRun>((ok) =>
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 })),
  );
  return { child, stderr: () => stderr, done };
}

export const runCli = (args: string[], opts: { env?: NodeJS.ProcessEnv; preload?: string[] } = {}) => startCli(args, opts).done;

/** Poll `cond` every 50 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** A run that finished: exit 0, and the results folder it printed, read and validated. */
export async function finished(run: CliRun): Promise<{ results: ResultsFile; dir: string }> {
  expect(run.stderr).not.toMatch(/^error:/m);
  expect(run.code).toBe(0);
  const dir = /Results: (.+)$/m.exec(run.stderr)?.[1];
  expect(dir).toBeDefined();
  const results = await checkResults(JSON.parse(await readFile(join(dir!, 'results.json'), 'utf8')), dir!);
  expect(results.runId).toBe(dir!.split('/').at(-1));
  return { results, dir: dir! };
}

/** A run that stopped: exit 2 and exactly one line on stderr, the error (matching `message`). */
export function stoppedWithOneError(run: CliRun, message: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '' && !/^warning: /.test(l));
  expect(lines.filter((l) => /^error: /.test(l))).toEqual([expect.stringMatching(message)]);
  expect(run.code).toBe(2);
}

/** Every system's per-query scores, by dataset and system id: what "identical scores" compares. */
export function scoresOf(results: ResultsFile): Record<string, Record<string, Record<string, Record<string, number>>>> {
  return Object.fromEntries(results.datasets.map((d) => [d.name, Object.fromEntries(d.systems.map((s) => [s.system, s.perQuery]))]));
}

/** Every path under `root` (files and folders), relative. */
async function walk(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true }).catch(() => [] as string[])).map(String).sort();
}

/** Temp names (src/atomic-file.ts), locks and lock leftovers (src/file-lock.ts): none may outlive a process. */
const LEFTOVER = /(^|\/)\.[^/]+\.(\d+\.[0-9a-f]+\.tmp|lock|lock\.\d+\.[0-9a-f]+\.broken)$/;

/**
 * Nothing half-written under an --out folder: no temp or lock files, and every run folder complete (a valid
 * results.json whose run files are all there). Returns the run folders.
 */
export async function checkOutFolder(out: string): Promise<string[]> {
  expect((await walk(out)).filter((p) => LEFTOVER.test(p))).toEqual([]);
  const runs = (await readdir(out).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  for (const run of runs) {
    const dir = join(out, run);
    const results = await checkResults(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')), dir);
    const files = await readdir(join(dir, 'runs'));
    expect(files.sort()).toEqual(results.datasets.flatMap((d) => d.systems.map((s) => s.runFile.replace(/^runs\//, ''))).sort());
  }
  return runs;
}

/**
 * The embedding cache is readable: no temp or lock files, every segment passes its checksum, and every store's
 * index.json parses and lists exactly its segments with their counts (`exactIndex: false`: the index may lag
 * behind, as after a process killed between a segment and its index write; the next open rebuilds it). Returns
 * the number of vectors held.
 */
export async function checkCache(cacheDir: string, opts: { exactIndex?: boolean } = {}): Promise<number> {
  const paths = await walk(cacheDir);
  expect(paths.filter((p) => LEFTOVER.test(p))).toEqual([]);
  let vectors = 0;
  for (const index of paths.filter((p) => p.endsWith(INDEX_FILE))) {
    const dir = join(cacheDir, index.slice(0, -INDEX_FILE.length));
    const listed = (JSON.parse(await readFile(join(dir, INDEX_FILE), 'utf8')) as StoreIndex).segments;
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.bin')).sort();
    const counts = [];
    for (const file of segments) {
      const { header } = segmentVectors(await readFile(join(dir, file)));
      counts.push({ file, count: header.count });
      vectors += header.count;
    }
    const sorted = [...listed].sort((a, b) => a.file.localeCompare(b.file));
    if (opts.exactIndex === false) expect(counts).toEqual(expect.arrayContaining(sorted));
    else expect(sorted).toEqual(counts);
  }
  return vectors;
}

/** The distinct vector keys a cache holds (a run that re-encoded what was lost holds them all again). */
export async function cachedKeys(cacheDir: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const p of (await walk(cacheDir)).filter((f) => f.endsWith('.bin'))) {
    const buf = await readFile(join(cacheDir, p));
    for (const k of segmentKeys(buf, segmentVectors(buf).header)) keys.add(k.toString('hex'));
  }
  return keys;
}

/** The segment files of a cache, largest first (passage segments before query segments). */
export async function segmentsOf(cacheDir: string): Promise<string[]> {
  const files = (await walk(cacheDir)).filter((p) => p.endsWith('.bin')).map((p) => join(cacheDir, p));
  const sized = await Promise.all(files.map(async (f) => ({ f, size: (await stat(f)).size })));
  return sized.sort((a, b) => b.size - a.size || a.f.localeCompare(b.f)).map((s) => s.f);
}

/**
 * One line of figures per case for docs/RELIABILITY.md, appended to $BEIR_BENCH_FAULT_LOG (JSON lines) when set:
 * `BEIR_BENCH_FAULT_LOG=faults.jsonl npm run test:faults`.
 */
export function record(fault: string, figures: Record<string, unknown>): void {
  const file = process.env.BEIR_BENCH_FAULT_LOG;
  if (file) appendFileSync(file, `${JSON.stringify({ fault, ...figures })}\n`);
}

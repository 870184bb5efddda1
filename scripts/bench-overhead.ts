/**
 * What a cold bench costs beyond encoding: `beir-bench bench` (embedded exact engine, e5-small-v2 asymmetric, a fresh
 * embedding cache via BEIR_BENCH_CACHE) in a child process, timed from start to exit, split by the run's own timings
 * in results.json into encoding (passages and queries through the cache: what encoding the texts alone costs, plus
 * its tokenising and cache writes, which `npm run bench:profile` measures at about 1% of it) and everything else
 * (process start, loading modules, the dataset and the model, search, scoring, statistics, writing results and
 * reports). Both parts come from the same run, so load from other processes cannot favour one of them.
 *
 * Usage: npm run bench:overhead -- [--dataset scifact] [--data-dir ../shared/beir] [--max-docs 200] [--max-queries 30]
 *                                  [--rounds 2] [--models-dir DIR]
 *   --max-docs 0 / --max-queries 0: the whole corpus / every test query.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ResultsFile } from '../src/results/schema.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'scifact' },
    'data-dir': { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'beir') },
    'max-docs': { type: 'string', default: '200' },
    'max-queries': { type: 'string', default: '30' },
    rounds: { type: 'string', default: '2' },
    'models-dir': { type: 'string' },
  },
});

const slice = Object.entries({ '--max-docs': opts['max-docs'], '--max-queries': opts['max-queries'] }).flatMap(([k, v]) => (Number(v) > 0 ? [k, v] : []));
const rows: { wall: number; run: number; encode: number; texts: string }[] = [];
for (let r = 0; r < Number(opts.rounds); r++) {
  const work = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
  try {
    const args = ['--import', 'tsx', 'src/cli.ts', 'bench', '--dataset', opts.dataset, '--data-dir', opts['data-dir'], '--arms', 'asymmetric', '--quiet', '--format', 'json',
      '--out', join(work, 'results'), ...slice, ...(opts['models-dir'] ? ['--models-dir', opts['models-dir']] : [])];
    const t0 = performance.now();
    const stdout = execFileSync(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, BEIR_BENCH_CACHE: join(work, 'cache') }, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    const wall = (performance.now() - t0) / 1000;
    const results = JSON.parse(stdout) as ResultsFile;
    const systems = results.datasets.flatMap((d) => d.systems);
    const encode = systems.reduce((s, x) => s + (x.timings.encodePassages ?? 0) + (x.timings.encodeQueries ?? 0), 0);
    const d = results.datasets[0];
    rows.push({ wall, run: results.seconds, encode, texts: `${d.docs} passages, ${d.queries} queries; ${results.passages.encoded} encoded, ${results.passages.fromCache} from the cache` });
    console.error(`round ${r + 1}: wall ${wall.toFixed(1)} s, run ${results.seconds.toFixed(1)} s, encoding ${encode.toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(`# Cold bench vs its encoding: ${opts.dataset} (${rows[0].texts}), e5-small-v2 asymmetric fp32, embedded exact engine, fresh cache`);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString().slice(0, 16)}Z`);
console.log('| round | wall, start to exit (s) | run, results.json seconds (s) | encoding (s) | not encoding (s) | wall / encoding |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const [i, r] of rows.entries()) {
  console.log(`| ${i + 1} | ${r.wall.toFixed(1)} | ${r.run.toFixed(1)} | ${r.encode.toFixed(1)} | ${(r.wall - r.encode).toFixed(1)} | ${(r.wall / r.encode).toFixed(3)} |`);
}

/**
 * What a cold bench costs beyond encoding: `beir-bench bench` (embedded exact engine, e5-small-v2 asymmetric, a fresh
 * embedding cache via BEIR_BENCH_CACHE) vs a process that only loads the same encoder and encodes the same texts
 * (the slice's passages and queries with their prefixes, no cache). Both run as child processes started the same way
 * (node --import tsx), alternating in order each round so load from other processes hits both alike.
 *
 * Usage: npm run bench:overhead -- [--dataset scifact] [--data-dir ../shared/beir] [--max-docs 150] [--max-queries 30]
 *                                  [--rounds 2] [--models-dir DIR]
 *   --max-docs 0 / --max-queries 0: the whole corpus / every test query.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/datasets/loaders.js';
import { loadEncoder } from '../src/embed/encoder.js';
import { modelsDirFrom } from '../src/embed/model-source.js';
import { passageText, queryText } from '../src/models/input-text.js';
import { getModel } from '../src/models/registry.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'scifact' },
    'data-dir': { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'beir') },
    'max-docs': { type: 'string', default: '150' },
    'max-queries': { type: 'string', default: '30' },
    rounds: { type: 'string', default: '2' },
    'models-dir': { type: 'string' },
    'encode-only': { type: 'boolean', default: false },
  },
});
const MODEL = getModel('intfloat/e5-small-v2');
const limit = (v: string | undefined) => (Number(v) > 0 ? Number(v) : undefined);
const slice = { maxDocs: limit(opts['max-docs']), maxQueries: limit(opts['max-queries']) };

/** The child of the encode-only arm: the slice's texts through the encoder, nothing else; prints its encode seconds. */
async function encodeOnly(): Promise<void> {
  const ds = await loadDataset(opts.dataset, join(opts['data-dir'], opts.dataset), { split: 'test', ...slice });
  const passages: string[] = [];
  for await (const doc of ds.corpus.stream()) passages.push(passageText(doc, MODEL.passagePrefix));
  const queries = ds.queries.map((q) => queryText(q, MODEL.queryPrefix));
  const encoder = await loadEncoder({ model: MODEL, dtype: 'fp32', modelsDir: modelsDirFrom(opts['models-dir']) });
  const t0 = performance.now();
  await encoder.encode(passages);
  await encoder.encode(queries);
  console.log(JSON.stringify({ encodeSeconds: (performance.now() - t0) / 1000, passages: passages.length, queries: queries.length }));
  await encoder.dispose();
}

/** Wall seconds of a child process (node --import tsx <args>), and its stdout. */
function timedChild(args: string[], env: NodeJS.ProcessEnv): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

if (opts['encode-only']) {
  await encodeOnly();
} else {
  const sliceArgs = Object.entries({ '--max-docs': slice.maxDocs, '--max-queries': slice.maxQueries }).flatMap(([k, v]) => (v ? [k, String(v)] : []));
  const modelsArgs = opts['models-dir'] ? ['--models-dir', opts['models-dir']] : [];
  const totals = { bench: 0, encodeProcess: 0, encode: 0 };
  let counts = '';
  const rounds = Number(opts.rounds);
  for (let r = 0; r < rounds; r++) {
    const work = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
    try {
      const arms = [
        () => {
          const args = ['src/cli.ts', 'bench', '--dataset', opts.dataset, '--data-dir', opts['data-dir'], '--arms', 'asymmetric', '--quiet', '--out', join(work, 'results'), ...sliceArgs, ...modelsArgs];
          const s = timedChild(args, { BEIR_BENCH_CACHE: join(work, 'cache') }).seconds;
          totals.bench += s;
          console.error(`round ${r + 1}: bench ${s.toFixed(1)} s`);
        },
        () => {
          const args = [fileURLToPath(import.meta.url), '--encode-only', '--dataset', opts.dataset, '--data-dir', opts['data-dir'], '--max-docs', opts['max-docs'], '--max-queries', opts['max-queries'], ...modelsArgs];
          const { seconds, stdout } = timedChild(args, {});
          const child = JSON.parse(stdout.trim().split('\n').at(-1)!) as { encodeSeconds: number; passages: number; queries: number };
          totals.encodeProcess += seconds;
          totals.encode += child.encodeSeconds;
          counts = `${child.passages} passages, ${child.queries} queries`;
          console.error(`round ${r + 1}: encode-only process ${seconds.toFixed(1)} s (encoding ${child.encodeSeconds.toFixed(1)} s)`);
        },
      ];
      if (r % 2 === 1) arms.reverse();
      for (const arm of arms) arm();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const per = (s: number) => (s / rounds).toFixed(1);
  console.log(`# Cold bench vs encoding alone: ${opts.dataset} (${counts}), ${MODEL.id} asymmetric fp32, embedded exact engine`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${loadavg()[0].toFixed(1)}, rounds ${rounds}, ${new Date().toISOString().slice(0, 16)}Z`);
  console.log('| what | seconds (mean per round) | bench / this |');
  console.log('|---|---:|---:|');
  console.log(`| bench, cold cache (process start to exit) | ${per(totals.bench)} | 1.000 |`);
  console.log(`| encode-only process (start, dataset slice, model load, encoding, exit) | ${per(totals.encodeProcess)} | ${(totals.bench / totals.encodeProcess).toFixed(3)} |`);
  console.log(`| encoding alone (encoder.encode of the passages and queries) | ${per(totals.encode)} | ${(totals.bench / totals.encode).toFixed(3)} |`);
}

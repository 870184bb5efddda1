/**
 * Embedding speed: on the first N SciFact passages, in one process, measure passages/s, tokens/s and peak RSS of
 *   (a) the plain transformers.js feature-extraction pipeline as its docs show it (corpus order, batches of 32),
 *   (b) this project's encoder through embedTexts with a cold (empty) cache,
 *   (c) the same with the cache warm,
 * for fp32 and q8, and check that (a) and (b) give the same vectors. (a) and (b) are timed interleaved, one pipeline
 * batch at a time in alternating order, so that load from other processes hits both alike; times are summed.
 *
 * Usage: npm run bench:embed -- [--n 256] [--rounds 2] [--dtypes fp32,q8] [--batch-tokens 128] [--batch-size 32]
 *                               [--threads N] [--corpus PATH] [--models-dir DIR] [--model ID] [--sweep 128,512,8192]
 *                               [--versus]
 *   --sweep only times (b) at each batch token budget (to choose the default), then exits.
 *   --versus only times this encoder for each of --dtypes against the first, all loaded in one process and
 *   interleaved slice by slice in rotating order (so load from other processes hits each alike), and gives each
 *   one's speed ratio and its cosine to the first dtype's vectors (min and mean), then exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { pipeline } from '@huggingface/transformers';
import { embedTexts } from '../src/embed/cache.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS, loadEncoder, type LocalEncoder } from '../src/embed/encoder.js';
import { DTYPES, modelsDirFrom } from '../src/embed/model-source.js';
import { getModel } from '../src/models/registry.js';
import type { Dtype } from '../src/models/spec.js';
import { firstPassages } from './lib/first-passages.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '2' },
    dtypes: { type: 'string', default: 'fp32,q8' },
    'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
    'batch-tokens': { type: 'string', default: String(DEFAULT_BATCH_TOKENS) },
    threads: { type: 'string', default: String(availableParallelism()) },
    corpus: { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'beir', 'scifact', 'corpus.jsonl') },
    'models-dir': { type: 'string' },
    sweep: { type: 'string' },
    versus: { type: 'boolean', default: false },
    model: { type: 'string', default: 'intfloat/e5-small-v2' },
  },
});
const N = Number(opts.n);
const ROUNDS = Number(opts.rounds);
const THREADS = Number(opts.threads);
const MODEL = getModel(opts.model);
const PIPELINE_BATCH = 32;

/**
 * Peak RSS while `fn` runs, sampled from a worker thread: onnxruntime-node runs inference synchronously on the main
 * thread, so a main-thread timer would miss the peaks.
 */
async function peakRssMB(fn: () => Promise<unknown>): Promise<number> {
  const peak = new Float64Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads'); const peak = new Float64Array(workerData);
     setInterval(() => { peak[0] = Math.max(peak[0], process.memoryUsage.rss()); }, 10);`,
    { eval: true, workerData: peak.buffer },
  );
  peak[0] = process.memoryUsage.rss();
  await fn();
  await worker.terminate();
  return Math.max(peak[0], process.memoryUsage.rss()) / 2 ** 20;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function cosines(a: Float32Array, b: Float32Array, dim: number): number[] {
  return Array.from({ length: a.length / dim }, (_, i) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += a[i * dim + d] * b[i * dim + d];
    return s;
  });
}

const encoderFor = (dtype: Dtype, batchTokens = Number(opts['batch-tokens'])) =>
  loadEncoder({ model: MODEL, dtype, modelsDir: modelsDirFrom(opts['models-dir']), threads: THREADS, batchSize: Number(opts['batch-size']), batchTokens });

/** Times (b) at each batch token budget, alternating their order across rounds. */
async function sweep(texts: string[], dtype: Dtype, sizes: number[]): Promise<void> {
  const encoders = await Promise.all(sizes.map((batchTokens) => encoderFor(dtype, batchTokens)));
  const times = sizes.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < sizes.length; i++) {
      const k = r % 2 === 0 ? i : sizes.length - 1 - i;
      times[k].push(await timed(async () => void (await encoders[k].encode(texts))));
    }
  }
  for (let i = 0; i < sizes.length; i++) console.log(`${dtype} batch tokens ${sizes[i]}: ${(texts.length / median(times[i])).toFixed(1)} passages/s (median of ${ROUNDS})`);
  await Promise.all(encoders.map((e) => e.dispose()));
}

/** Each dtype's encoder against the first's, interleaved slice by slice in rotating order: speed ratio and cosines. */
async function versus(texts: string[], dtypes: Dtype[]): Promise<void> {
  const encoders: LocalEncoder[] = [];
  for (const dtype of dtypes) encoders.push(await encoderFor(dtype));
  const seconds = dtypes.map(() => 0);
  const vectors = dtypes.map(() => new Float32Array(texts.length * MODEL.dimension));
  const SLICE = 16;
  for (const e of encoders) await e.encode(texts.slice(0, SLICE)); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i * SLICE < texts.length; i++) {
      const slice = texts.slice(i * SLICE, (i + 1) * SLICE);
      for (let j = 0; j < dtypes.length; j++) {
        const k = (i + r + j) % dtypes.length;
        seconds[k] += await timed(async () => vectors[k].set((await encoders[k].encode(slice)).data, i * SLICE * MODEL.dimension));
      }
    }
  }
  const tokens = encoders[0].countTokens(texts).reduce((s, n) => s + n, 0);
  console.log(`# Encoder speed by dtype: ${MODEL.id}, first ${texts.length} SciFact passages (${tokens} tokens), interleaved, ${ROUNDS} round(s)`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, threads ${THREADS}, ${new Date().toISOString().slice(0, 16)}Z`);
  console.log(`| dtype | weights sha256 | passages/s | vs ${dtypes[0]} | cosine to ${dtypes[0]}: min | mean |`);
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [k, dtype] of dtypes.entries()) {
    const cos = cosines(vectors[0], vectors[k], MODEL.dimension);
    const pps = (texts.length * ROUNDS) / seconds[k];
    const mean = cos.reduce((s, c) => s + c, 0) / cos.length;
    console.log(`| ${dtype} | ${encoders[k].info.weightsSha256.slice(0, 12)} | ${pps.toFixed(1)} | ${(seconds[0] / seconds[k]).toFixed(2)}x | ${Math.min(...cos).toFixed(6)} | ${mean.toFixed(6)} |`);
  }
  for (const e of encoders) await e.dispose();
}

interface Row {
  dtype: Dtype;
  arm: string;
  passagesPerS: number;
  tokensPerS: number;
  peakRssMB: number;
}

interface DtypeResult {
  rows: Row[];
  tokens: number;
  loadedRssMB: number;
  minCos: number;
  minCosUntruncated: number;
  truncated: number;
}

async function benchDtype(texts: string[], dtype: Dtype): Promise<DtypeResult> {
  const encoder = await encoderFor(dtype);
  const lengths = encoder.countTokens(texts);
  const tokens = lengths.reduce((s, n) => s + n, 0);
  // (a) exactly as the transformers.js docs show it, from the same local folder.
  const { loadAs, baseName } = DTYPES[dtype];
  const extractor = await pipeline('feature-extraction', encoder.info.source, { dtype: loadAs, ...(baseName && { model_file_name: baseName }), local_files_only: true });
  const plain = async (slice: string[]) => (await extractor(slice, { pooling: 'mean', normalize: true })).data as Float32Array;
  const slices = Array.from({ length: Math.ceil(texts.length / PIPELINE_BATCH) }, (_, i) => texts.slice(i * PIPELINE_BATCH, (i + 1) * PIPELINE_BATCH));
  const loadedRssMB = process.memoryUsage.rss() / 2 ** 20;

  // Untimed first pass, also the warm-up: all of (b), then all of (a), so (b)'s peak RSS is not inflated by the
  // memory (a) leaves allocated (RSS is per process).
  const rss = {
    b: await peakRssMB(() => embedTexts({ encoder, texts, cacheDir: null, namespace: 'bench', label: 'warm-up', quiet: true })),
    a: await peakRssMB(async () => { for (const slice of slices) await plain(slice); }),
    c: 0,
  };

  // Timed rounds, interleaved per pipeline batch in alternating order, so bursts of load from other processes hit
  // (a) and (b) alike. (b) goes through embedTexts with a cold cache, cache writes included.
  const seconds = { a: 0, b: 0, c: 0 };
  const refA = new Float32Array(texts.length * MODEL.dimension);
  const refB = new Float32Array(texts.length * MODEL.dimension);
  for (let r = 0; r < ROUNDS; r++) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'bench-embed-cache-'));
    const embed = (slice: string[]) => embedTexts({ encoder, texts: slice, cacheDir, namespace: 'bench', label: `(b) ${dtype}`, quiet: true });
    for (const [i, slice] of slices.entries()) {
      const at = i * PIPELINE_BATCH * MODEL.dimension;
      const steps = [
        async () => void (seconds.a += await timed(async () => refA.set(await plain(slice), at))),
        async () => void (seconds.b += await timed(async () => refB.set((await embed(slice)).matrix.data, at))),
      ];
      if ((i + r) % 2 === 1) steps.reverse();
      for (const step of steps) await step();
    }
    const warm = () => embedTexts({ encoder, texts, cacheDir, namespace: 'bench', label: `(c) ${dtype}`, quiet: true });
    if (r === 0) rss.c = await peakRssMB(warm);
    seconds.c += await timed(async () => {
      const out = await warm();
      if (out.fromCache !== texts.length) throw new Error(`warm cache served ${out.fromCache}/${texts.length}`);
    });
    rmSync(cacheDir, { recursive: true, force: true });
    console.error(`${dtype} round ${r + 1}/${ROUNDS}: a ${seconds.a.toFixed(1)}s, b ${seconds.b.toFixed(1)}s, c ${seconds.c.toFixed(2)}s (cumulative)`);
  }

  // The pipeline truncates by cutting off [SEP]; ours keeps it (as Python does), so long passages legitimately differ.
  const cos = cosines(refA, refB, MODEL.dimension);
  const untruncated = cos.filter((_, i) => lengths[i] < MODEL.maxLength);
  const rows = (['a', 'b', 'c'] as const).map((arm) => {
    const perRound = seconds[arm] / ROUNDS;
    return { dtype, arm, passagesPerS: texts.length / perRound, tokensPerS: tokens / perRound, peakRssMB: rss[arm] };
  });
  await extractor.dispose();
  await encoder.dispose();
  return { rows, tokens, loadedRssMB, minCos: Math.min(...cos), minCosUntruncated: Math.min(...untruncated), truncated: cos.length - untruncated.length };
}

const texts = await firstPassages(opts.corpus, N, MODEL.passagePrefix);
const dtypes = opts.dtypes.split(',') as Dtype[];
if (opts.sweep) {
  for (const dtype of dtypes) await sweep(texts, dtype, opts.sweep.split(',').map(Number));
  process.exit(0);
}
if (opts.versus) {
  await versus(texts, dtypes);
  process.exit(0);
}

console.log(`# Embedding speed: ${MODEL.id}, first ${texts.length} SciFact passages (prefix "passage: ", truncation at ${MODEL.maxLength} tokens)`);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, threads ${THREADS}, rounds ${ROUNDS}, ${new Date().toISOString().slice(0, 16)}Z`);
console.log('| dtype | run | passages/s | tokens/s | peak RSS MB (process) | vs (a) |');
console.log('|---|---|---:|---:|---:|---:|');
const labels: Record<string, string> = { a: '(a) transformers.js pipeline, corpus order, batch 32', b: `(b) this encoder, cold cache, ≤${opts['batch-tokens']} tokens/batch`, c: '(c) this encoder, warm cache' };
const checks: string[] = [];
for (const dtype of dtypes) {
  const { rows, tokens, loadedRssMB, minCos, minCosUntruncated, truncated } = await benchDtype(texts, dtype);
  const base = rows[0].passagesPerS;
  for (const r of rows) {
    console.log(`| ${r.dtype} | ${labels[r.arm]} | ${r.passagesPerS.toFixed(1)} | ${r.tokensPerS.toFixed(0)} | ${r.peakRssMB.toFixed(0)} | ${(r.passagesPerS / base).toFixed(2)}x |`);
  }
  checks.push(`${dtype}: ${tokens} tokens; RSS with both models loaded ${loadedRssMB.toFixed(0)} MB before any encoding; (a) vs (b) cosine min ${minCos.toFixed(6)} over all ${texts.length}; min ${minCosUntruncated.toFixed(6)} over the ${texts.length - truncated} passages under ${MODEL.maxLength} tokens (${truncated} truncated)`);
}
console.log('');
for (const c of checks) console.log(`- ${c}`);

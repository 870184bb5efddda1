/**
 * Exact dense search speed: top-k of Q queries over synthetic corpora of unit vectors (default 1,000
 * queries, 384 dims, top-10 over 100k, 1M and 4M passages), by the GEMM search (src/search/exact-gemm.ts),
 * next to this machine's SGEMM speed (a plain square MatMul in the same onnxruntime) and the old scalar
 * loop (src/backends/exact.ts, timed on a slice of the queries over the 100k corpus and extrapolated).
 * Every corpus is generated block by block and streamed through the block API, so the 4M corpus (6 GB as
 * one array) never exists at once; generation time is measured apart and left out of the search time.
 * Each measurement runs in a child process of its own, so peak RSS is per measurement.
 *
 * Usage: npm run bench:search [-- --sizes 100k,1m,4m --queries 1000 --k 10 --dim 384 --js-queries 100
 *        --memory-mib 64 --threads N --sgemm 2048]
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { exactTopK } from '../src/backends/exact.js';
import { Prng } from '../src/eval/prng.js';
import { DEFAULT_MEMORY_BYTES, exactSearch, type PassageBlock } from '../src/search/exact-gemm.js';
import { encodeOnnxModel } from '../src/search/onnx-model.js';
import type { Matrix } from '../src/types.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const num = (name: string, fallback: number) => Number(arg(name, String(fallback)));
/** '100k' -> 100000, '4m' -> 4000000. */
function count(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--sizes: cannot read "${text}" (e.g. 100k, 1m, 250000)`);
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase() as '' | 'k' | 'm']);
}

const QUERIES = num('queries', 1000);
const K = num('k', 10);
const DIM = num('dim', 384);
const THREADS = num('threads', availableParallelism());
const MEMORY_BYTES = num('memory-mib', DEFAULT_MEMORY_BYTES / 2 ** 20) * 2 ** 20;
const GEN_ROWS = 32_768;
const CORPUS_SEED = 1;
const QUERY_SEED = 2;

/** Rows uniform in [-1, 1)^dim scaled to unit length, written into `data` (rows x DIM). */
function fillUnitRows(prng: Prng, data: Float32Array): void {
  for (let off = 0; off < data.length; off += DIM) {
    let sq = 0;
    for (let j = 0; j < DIM; j++) {
      const v = prng.nextUint32() / 2 ** 31 - 1;
      data[off + j] = v;
      sq += v * v;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < DIM; j++) data[off + j] *= inv;
  }
}

function unitMatrix(seed: number, rows: number): Matrix {
  const data = new Float32Array(rows * DIM);
  fillUnitRows(new Prng(seed), data);
  return { data, rows, dim: DIM };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `doc${i}`);
const gflops = (flop: number, secs: number) => flop / secs / 1e9;
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
const cpuSecs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Measured {
  what: string;
  seconds: number;
  cpuSeconds: number;
  gflops: number;
  extra: Record<string, number | string>;
  peakRssMiB: number;
}

/** Child: the GEMM search over a streamed corpus of `rows` passages. */
async function measureSearch(rows: number): Promise<Measured> {
  const queries = unitMatrix(QUERY_SEED, QUERIES);
  const docIds = ids(rows);
  let generating = 0;
  let generatingCpu = 0;
  async function* corpus(): AsyncIterable<PassageBlock> {
    const prng = new Prng(CORPUS_SEED);
    for (let offset = 0; offset < rows; offset += GEN_ROWS) {
      const t = performance.now();
      const c = cpuSecs();
      const n = Math.min(GEN_ROWS, rows - offset);
      const data = new Float32Array(n * DIM);
      fillUnitRows(prng, data);
      generating += performance.now() - t;
      generatingCpu += cpuSecs() - c;
      yield { offset, matrix: { data, rows: n, dim: DIM } };
    }
  }
  let rescored = 0;
  let fullScans = 0;
  const started = performance.now();
  const cpu0 = cpuSecs();
  await exactSearch({
    queries,
    passages: corpus(),
    docIds,
    k: K,
    threads: THREADS,
    memoryBytes: MEMORY_BYTES,
    onBlock: (p) => {
      rescored += p.rescored;
      fullScans += p.fullScans;
    },
  });
  const seconds = (performance.now() - started - generating) / 1000;
  return {
    what: `gemm ${rows}`,
    seconds,
    cpuSeconds: cpuSecs() - cpu0 - generatingCpu,
    gflops: gflops(2 * QUERIES * rows * DIM, seconds),
    extra: { generationSeconds: generating / 1000, rescoredPerQuery: rescored / QUERIES, fullScans },
    peakRssMiB: peakRssMiB(),
  };
}

/** Child: the old scalar loop, `jsQueries` queries over the first corpus size, extrapolated to all queries. */
async function measureJsLoop(rows: number, jsQueries: number): Promise<Measured> {
  const queries = unitMatrix(QUERY_SEED, QUERIES);
  const slice: Matrix = { data: queries.data.subarray(0, jsQueries * DIM), rows: jsQueries, dim: DIM };
  const docs = unitMatrix(CORPUS_SEED, rows); // same rows as the streamed corpus (same seed, same order)
  const docIds = ids(rows);
  const started = performance.now();
  const cpu0 = cpuSecs();
  const reference = exactTopK(slice, docs, docIds, K);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecs() - cpu0;
  // While the corpus is here: the GEMM search gives the same hits, bit for bit.
  const gemm = await exactSearch({ queries: slice, passages: docs, docIds, k: K, threads: THREADS, memoryBytes: MEMORY_BYTES });
  const identical = JSON.stringify(gemm) === JSON.stringify(reference);
  const scale = QUERIES / jsQueries;
  return {
    what: `js ${rows}`,
    seconds: seconds * scale,
    cpuSeconds: cpuSeconds * scale,
    gflops: gflops(2 * jsQueries * rows * DIM, seconds),
    extra: { measuredQueries: jsQueries, measuredSeconds: seconds, identicalToGemm: String(identical) },
    peakRssMiB: peakRssMiB(),
  };
}

/** Child: SGEMM speed, a plain n x n x n MatMul (inputs fed, output copied back, as in any session run). */
async function measureSgemm(n: number): Promise<Measured> {
  const model = encodeOnnxModel({
    name: 'sgemm',
    opset: 13,
    inputs: [
      { name: 'a', type: 'float32', shape: [n, n] },
      { name: 'b', type: 'float32', shape: [n, n] },
    ],
    outputs: [{ name: 'c', type: 'float32', shape: [n, n] }],
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
  });
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: THREADS, interOpNumThreads: 1 });
  const prng = new Prng(3);
  const fill = () => Float32Array.from({ length: n * n }, () => prng.nextUint32() / 2 ** 31 - 1);
  const feeds = { a: new ort.Tensor('float32', fill(), [n, n]), b: new ort.Tensor('float32', fill(), [n, n]) };
  await session.run(feeds); // warm-up
  const reps = 5;
  let best = Infinity;
  let total = 0;
  const cpu0 = cpuSecs();
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await session.run(feeds);
    const s = (performance.now() - t) / 1000;
    best = Math.min(best, s);
    total += s;
  }
  const cpuSeconds = (cpuSecs() - cpu0) / reps;
  await session.release();
  const flop = 2 * n ** 3;
  return {
    what: `sgemm ${n}`,
    seconds: total / reps,
    cpuSeconds,
    gflops: gflops(flop, total / reps),
    extra: { bestGflops: gflops(flop, best) },
    peakRssMiB: peakRssMiB(),
  };
}

function runChild(args: string[]): Measured {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2), '--child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function child(kind: string, value: number): Promise<void> {
  const jsQueries = num('js-queries', 100);
  const m = kind === 'search' ? await measureSearch(value) : kind === 'js' ? await measureJsLoop(value, jsQueries) : await measureSgemm(value);
  console.log(JSON.stringify(m));
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '100k,1m,4m').split(',').map(count);
  const sgemmN = num('sgemm', 2048);
  const jsQueries = num('js-queries', 100);
  console.log(`${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores; onnxruntime threads ${THREADS}; memory per block ${MEMORY_BYTES / 2 ** 20} MiB`);
  console.log(`${QUERIES} queries x ${DIM} dims, top-${K}; corpora: ${sizes.map((s) => s.toLocaleString('en-US')).join(', ')}`);
  const sgemm = runChild(['sgemm', String(sgemmN)]);
  const sgemmPerCpu = (2 * sgemmN ** 3) / sgemm.cpuSeconds / 1e9;
  console.log(
    `SGEMM ${sgemmN}^3 MatMul: ${fmt(sgemm.gflops)} GFLOP/s mean of 5 (best ${fmt(sgemm.extra.bestGflops as number)}); ` +
      `${fmt(sgemmPerCpu)} GFLOP per CPU-second`,
  );
  const js = runChild(['js', String(sizes[0])]);
  console.log(
    `old JS loop, ${sizes[0].toLocaleString('en-US')} passages: ${jsQueries} queries in ${fmt(js.extra.measuredSeconds as number, 2)} s ` +
      `-> ${fmt(js.seconds)} s for ${QUERIES} (extrapolated), ${fmt(js.gflops, 2)} GFLOP/s, ` +
      `${fmt((2 * QUERIES * sizes[0] * DIM) / js.cpuSeconds / 1e9, 2)} GFLOP per CPU-second; GEMM search identical: ${js.extra.identicalToGemm}`,
  );
  console.log('');
  // Per CPU-second figures too: on a shared machine wall time includes waiting for a core.
  console.log('| passages | search s | CPU s | GFLOP/s | of SGEMM | GFLOP/CPU-s | of SGEMM | vs JS loop | exact rescorings/query | full-block rescans | generation s | peak RSS |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const rows of sizes) {
    const m = runChild(['search', String(rows)]);
    const vsJs = rows === sizes[0] ? `${fmt(js.seconds / m.seconds, 0)}x` : '';
    const perCpu = (2 * QUERIES * rows * DIM) / m.cpuSeconds / 1e9;
    console.log(
      `| ${rows.toLocaleString('en-US')} | ${fmt(m.seconds, 2)} | ${fmt(m.cpuSeconds, 1)} | ${fmt(m.gflops)} | ${fmt((100 * m.gflops) / sgemm.gflops, 0)}% | ` +
        `${fmt(perCpu)} | ${fmt((100 * perCpu) / sgemmPerCpu, 0)}% | ${vsJs} | ` +
        `${fmt(m.extra.rescoredPerQuery as number, 0)} | ${m.extra.fullScans} | ${fmt(m.extra.generationSeconds as number, 1)} | ${fmt(m.peakRssMiB, 0)} MiB |`,
    );
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1], Number(process.argv[childAt + 2]));
else await main();

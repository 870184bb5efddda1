/**
 * Throughput of the remote encoder: the first N SciFact passages embedded (through embedTexts, no cache) by
 *   (local)  this project's encoder in process, all cores,
 *   (1 ep)   one `beir-bench serve` on loopback with all cores, through --encoder-url's client,
 *   (2 ep)   two `beir-bench serve` processes on loopback sharing the cores (threads split between them),
 * interleaved slice by slice in rotating order so load from other processes hits all three alike. The HTTP
 * overhead is (1 ep) time over (local) time, minus one. Also checks that (1 ep) gives the local vectors.
 *
 * Usage: npm run bench:remote -- [--n 256] [--rounds 2] [--slice 64] [--dtype fp32] [--threads N]
 *                                [--corpus PATH] [--models-dir DIR]
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { embedTexts } from '../src/embed/cache.js';
import { loadEncoder, type Encoder } from '../src/embed/encoder.js';
import { modelsDirFrom } from '../src/embed/model-source.js';
import { minRowCosine } from '../src/embed/probe-fingerprint.js';
import { DEFAULT_TRANSPORT } from '../src/embed/remote-client.js';
import { openRemoteEncoder } from '../src/embed/remote-encoder.js';
import { getModel } from '../src/models/registry.js';
import type { Dtype } from '../src/models/spec.js';
import { firstPassages } from './lib/first-passages.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '2' },
    slice: { type: 'string', default: '64' },
    dtype: { type: 'string', default: 'fp32' },
    threads: { type: 'string', default: String(availableParallelism()) },
    corpus: { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'beir', 'scifact', 'corpus.jsonl') },
    'models-dir': { type: 'string' },
  },
});
const N = Number(opts.n);
const ROUNDS = Number(opts.rounds);
const SLICE = Number(opts.slice);
const THREADS = Number(opts.threads);
const DTYPE = opts.dtype as Dtype;
const MODEL = getModel('intfloat/e5-small-v2');

interface Server {
  url: string;
  stop(): Promise<void>;
}

/** A `beir-bench serve` child on a free loopback port, without a cache (every request is encoded). */
async function serve(threads: number): Promise<Server> {
  const args = ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--no-cache', '--dtype', DTYPE, '--threads', String(threads), ...(opts['models-dir'] ? ['--models-dir', opts['models-dir']] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  const url = await new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      const m = / at (http:\/\/\S+\/v1) /.exec(stderr);
      if (m) ok(m[1]);
    });
    void exited.then(() => fail(new Error(`serve exited:\n${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const remote = (urls: string[]) => openRemoteEncoder({ spec: { kind: 'remote', urls, asymmetry: 'prefix' }, model: MODEL, inputType: null, transport: DEFAULT_TRANSPORT, cacheDir: null });

async function main(): Promise<void> {
  const texts = await firstPassages(opts.corpus, N, MODEL.passagePrefix);
  const perServer = Math.max(1, Math.floor(THREADS / 2));
  const servers = [await serve(THREADS), await serve(perServer), await serve(perServer)];
  const runs: { name: string; encoder: Encoder }[] = [
    { name: `local, ${THREADS} threads`, encoder: await loadEncoder({ model: MODEL, dtype: DTYPE, modelsDir: modelsDirFrom(opts['models-dir']), threads: THREADS }) },
    { name: `1 endpoint (${THREADS} threads)`, encoder: await remote([servers[0].url]) },
    { name: `2 endpoints (${perServer} thread${perServer > 1 ? 's' : ''} each)`, encoder: await remote([servers[1].url, servers[2].url]) },
  ];
  const embed = (encoder: Encoder, slice: string[]) => embedTexts({ encoder, texts: slice, cacheDir: null, namespace: 'bench', label: 'bench', quiet: true });
  try {
    // Untimed warm-up: each session's first passes allocate.
    for (const r of runs) await embed(r.encoder, texts.slice(0, 8));
    const seconds = runs.map(() => 0);
    const vectors = runs.map(() => new Float32Array(N * MODEL.dimension));
    const slices = Math.ceil(N / SLICE);
    for (let round = 0; round < ROUNDS; round++) {
      for (let s = 0; s < slices; s++) {
        const slice = texts.slice(s * SLICE, (s + 1) * SLICE);
        // Rotate who goes first, so a burst of outside load does not always hit the same run.
        for (let k = 0; k < runs.length; k++) {
          const i = (k + s + round) % runs.length;
          const t0 = performance.now();
          const out = await embed(runs[i].encoder, slice);
          seconds[i] += (performance.now() - t0) / 1000;
          vectors[i].set(out.matrix.data, s * SLICE * MODEL.dimension);
        }
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${runs.map((r, i) => `${r.name} ${seconds[i].toFixed(1)} s`).join(', ')}\n`);
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(`${new Date().toISOString()}, ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    console.log(`${N} SciFact passages, ${DTYPE}, ${ROUNDS} rounds, slices of ${SLICE}; requests of <= ${DEFAULT_TRANSPORT.batchSize} inputs, ${DEFAULT_TRANSPORT.concurrency} in flight per endpoint, ${DEFAULT_TRANSPORT.encodingFormat}`);
    console.log('| encoder | passages/s | vs local |');
    console.log('|---|---:|---:|');
    runs.forEach((r, i) => console.log(`| ${r.name} | ${((N * ROUNDS) / seconds[i]).toFixed(2)} | ${(seconds[0] / seconds[i]).toFixed(3)}x |`));
    console.log(`HTTP overhead at one endpoint: ${((100 * (seconds[1] - seconds[0])) / seconds[0]).toFixed(1)}% of the local time`);
    console.log(`min cosine, 1 endpoint vs local: ${minRowCosine(vectors[1], vectors[0], MODEL.dimension).toFixed(6)}; 2 endpoints vs local: ${minRowCosine(vectors[2], vectors[0], MODEL.dimension).toFixed(6)}`);
  } finally {
    await Promise.all(runs.map((r) => r.encoder.dispose()));
    await Promise.all(servers.map((s) => s.stop()));
  }
}

await main();

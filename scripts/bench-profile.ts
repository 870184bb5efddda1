/**
 * Where encoding time goes: the first N SciFact passages through embedTexts (cold cache in a temporary folder, cache
 * writes included) with onnxruntime's profiler on, then a table of the wall time split into the session's node
 * kinds (weight MatMuls, attention, Softmax, LayerNorm, Gelu, other elementwise, shape/layout ops), the session's
 * own overhead (model_run minus its nodes) and everything outside the session (tokenising, measured apart, and the
 * rest: input tensors, pooling, cache writes, JS glue).
 *
 * Usage: npm run bench:profile -- [--n 200] [--dtype fp32] [--threads N] [--corpus PATH] [--models-dir DIR] [--keep]
 *   --keep leaves onnxruntime's profile JSON (chrome://tracing format) and prints its path.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { embedTexts } from '../src/embed/cache.js';
import { loadEncoder } from '../src/embed/encoder.js';
import { modelsDirFrom } from '../src/embed/model-source.js';
import { getModel } from '../src/models/registry.js';
import type { Dtype } from '../src/models/spec.js';
import { firstPassages } from './lib/first-passages.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    dtype: { type: 'string', default: 'fp32' },
    threads: { type: 'string', default: String(availableParallelism()) },
    corpus: { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'beir', 'scifact', 'corpus.jsonl') },
    'models-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const MODEL = getModel('intfloat/e5-small-v2');

/** One event of onnxruntime's profile (chrome tracing format); durations in microseconds. */
interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

/** The kind of work a graph node does; weight MatMuls are the ones reading a dense layer's weights. */
function nodeKind(op: string, name: string): string {
  if (/MatMul|Gemm/.test(op)) return /\/(query|key|value|dense)\//.test(name) ? 'weight MatMuls (Q/K/V, output, FFN)' : 'attention score MatMuls (QKᵀ, ·V)';
  if (op === 'Add' && /\/attention\/self\/Add_/.test(name)) return 'attention mask Add';
  if (op === 'Softmax') return 'Softmax';
  if (/LayerNorm/.test(op)) return 'LayerNorm';
  if (/Gelu|Erf/.test(op)) return 'Gelu';
  if (/^(Transpose|Reshape|Shape|Unsqueeze|Squeeze|Concat|Slice|Expand|Gather|Cast|ConstantOfShape|Range|Identity)$/.test(op)) return 'shape/layout ops (Transpose, Reshape, Gather, …)';
  return `other elementwise (${op})`;
}

const modelsDir = modelsDirFrom(opts['models-dir']);
const texts = await firstPassages(opts.corpus, Number(opts.n), MODEL.passagePrefix);
const work = mkdtempSync(join(tmpdir(), 'bench-profile-'));
try {
  const encoder = await loadEncoder({ model: MODEL, dtype: opts.dtype as Dtype, modelsDir, threads: Number(opts.threads), profileFilePrefix: join(work, 'ort') });
  const tokens = encoder.countTokens(texts).reduce((s, n) => s + n, 0);
  const t0 = performance.now();
  await embedTexts({ encoder, texts, cacheDir: join(work, 'cache'), namespace: 'bench', label: 'profile', quiet: true });
  const wallUs = (performance.now() - t0) * 1000;
  const t1 = performance.now();
  encoder.countTokens(texts); // what embedTexts spent tokenising, measured apart (the profiler does not see it)
  const tokenizeUs = (performance.now() - t1) * 1000;
  await encoder.dispose(); // onnxruntime writes the profile when the session is released

  const file = readdirSync(work).find((f) => f.startsWith('ort') && f.endsWith('.json'));
  if (!file) throw new Error(`onnxruntime wrote no profile in ${work}`);
  const events = JSON.parse(readFileSync(join(work, file), 'utf8')) as ProfileEvent[];
  const runUs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').reduce((s, e) => s + e.dur, 0);
  const byKind = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const kind = nodeKind(e.args?.op_name ?? '?', e.name);
    byKind.set(kind, (byKind.get(kind) ?? 0) + e.dur);
  }
  const nodesUs = [...byKind.values()].reduce((s, v) => s + v, 0);
  // Small elementwise kinds (Add, Mul, Div, …) are summed into one row, the largest named.
  const rows = [...byKind].sort((a, b) => b[1] - a[1]);
  const other = rows.filter(([k]) => k.startsWith('other elementwise'));
  const named = rows.filter(([k]) => !k.startsWith('other elementwise'));
  const otherOps = other.map(([k]) => k.slice('other elementwise ('.length, -1)).join(', ');
  const table: [string, number][] = [
    ...named,
    ...(other.length ? [[`other elementwise (${otherOps})`, other.reduce((s, [, v]) => s + v, 0)] as [string, number]] : []),
    ['session overhead (model_run minus its nodes)', runUs - nodesUs],
    ['outside the session: tokenising', tokenizeUs],
    ['outside the session: input tensors, pooling, cache writes, glue', wallUs - runUs - tokenizeUs],
  ];

  console.log(`# Where encoding time goes: ${MODEL.id} ${opts.dtype}, first ${texts.length} SciFact passages (${tokens} tokens), embedTexts with a cold cache`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, threads ${opts.threads}, load ${loadavg()[0].toFixed(1)}, ${new Date().toISOString().slice(0, 16)}Z`);
  console.log(`wall ${(wallUs / 1e6).toFixed(1)} s (${(texts.length / (wallUs / 1e6)).toFixed(2)} passages/s), of which onnxruntime model_run ${(runUs / 1e6).toFixed(1)} s`);
  console.log('| where | seconds | share of wall |');
  console.log('|---|---:|---:|');
  for (const [what, us] of table) console.log(`| ${what} | ${(us / 1e6).toFixed(2)} | ${((100 * us) / wallUs).toFixed(1)}% |`);
  if (opts.keep) console.log(`profile: ${join(work, file)}`);
} finally {
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
}

/**
 * Memory and speed of the embedded BM25 index (src/backends/bm25.ts), by default on a synthetic corpus shaped
 * like TREC-COVID (171,332 docs of about 200 words), reproducible from --seed (scripts/lib/synthetic-text.ts).
 * --corpus DIR measures a real BEIR folder instead (its corpus.jsonl, and the first --queries of queries.jsonl).
 * Prints build time, heap and RSS before and after, the index's size per doc and queries/s (top 100).
 *
 * Usage: npm run bench:bm25 [-- --docs 171332 --queries 1000 --seed 1 --stream --corpus DIR]
 *   By default the whole corpus is read first and handed to Bm25Index.build (as the bench loop did before it streamed).
 *   --stream feeds docs one at a time to a Bm25Builder, so the corpus is never held.
 * Needs `node --expose-gc` (the npm script passes it), so that heap figures are measured after a full GC.
 */
import { join } from 'node:path';
import { Bm25Builder, Bm25Index } from '../src/backends/bm25.js';
import { readCorpus, readQueries } from '../src/datasets/loaders.js';
import { Prng } from '../src/eval/prng.js';
import type { Doc } from '../src/types.js';
import { SyntheticText } from './lib/synthetic-text.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const gc = globalThis.gc;
if (!gc) {
  console.error('bench-bm25: run with node --expose-gc (npm run bench:bm25 does)');
  process.exit(2);
}

interface Memory {
  rss: number;
  /** V8 heap plus memory outside it owned by JS objects (typed arrays' buffers). */
  js: number;
}
function memory(): Memory {
  // Twice: typed arrays' buffers freed by one GC leave `external` only at the next.
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.external };
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const count = (n: number) => n.toLocaleString('en-US');

/** Wall and CPU seconds of fn: on a shared machine the wall clock also counts waiting for a core. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number; text: string }> {
  const started = performance.now();
  const before = process.cpuUsage();
  const value = await fn();
  const { user, system } = process.cpuUsage(before);
  const wall = (performance.now() - started) / 1000;
  const cpu = (user + system) / 1e6;
  return { value, wall, cpu, text: `${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU` };
}

const queryCount = Number(arg('queries') ?? 1000);
const stream = process.argv.includes('--stream');
const corpusDir = arg('corpus');
let docs: () => AsyncIterable<Doc> | Iterable<Doc>;
let queries: string[];
if (corpusDir) {
  docs = () => readCorpus(join(corpusDir, 'corpus.jsonl'));
  queries = [...(await readQueries(join(corpusDir, 'queries.jsonl'))).values()].slice(0, queryCount);
} else {
  const n = Number(arg('docs') ?? 171_332);
  const text = new SyntheticText(new Prng(Number(arg('seed') ?? 1)));
  docs = function* () {
    for (let i = 0; i < n; i++) yield text.doc(`doc-${String(i).padStart(8, '0')}`);
  };
  queries = Array.from({ length: queryCount }, () => text.query());
}

const base = memory();
const lines: string[] = [];
let docCount = 0;

async function buildStreaming(): Promise<Bm25Index> {
  const built = await timed(async () => {
    const builder = new Bm25Builder();
    for await (const doc of docs()) (builder.add(doc), docCount++);
    return builder.finish();
  });
  lines.push(`read and indexed ${count(docCount)} docs one at a time (--stream): ${built.text}`);
  return built.value;
}

/** The corpus is garbage once this returns: the index keeps only the doc ids. */
async function buildFromArray(): Promise<Bm25Index> {
  const read = await timed(async () => {
    const all: Doc[] = [];
    for await (const doc of docs()) all.push(doc);
    return all;
  });
  docCount = read.value.length;
  const withCorpus = memory();
  lines.push(`read ${count(docCount)} docs: ${read.text}; corpus held: JS ${MB(withCorpus.js - base.js)}, RSS ${MB(withCorpus.rss)}`);
  const built = await timed(async () => Bm25Index.build(read.value));
  lines.push(`built: ${built.text}; corpus + index held: RSS ${MB(memory().rss)}`);
  return built.value;
}

const index = stream ? await buildStreaming() : await buildFromArray();
const after = memory();
const indexBytes = after.js - base.js;
lines.push(`RSS before ${MB(base.rss)}, after ${MB(after.rss)}, peak ${MB(process.resourceUsage().maxRSS * 1024)}`);
lines.push(`index: ${MB(indexBytes)} (heap + typed arrays), ${count(Math.round(indexBytes / docCount))} bytes/doc`);

const searched = await timed(async () => queries.reduce((hits, q) => hits + index.search(q, 100).length, 0));
const rate = (secs: number) => (queries.length / secs).toFixed(0);
lines.push(
  `${queries.length} queries, top 100 (${(searched.value / queries.length).toFixed(0)} hits each): ${searched.text}; ` +
    `${rate(searched.wall)} queries/s (${rate(searched.cpu)} per CPU second)`,
);
console.log(lines.join('\n'));

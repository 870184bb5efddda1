/**
 * OpenSearch ingestion speed: bulk-load N deterministic random unit vectors (default 20,000 x 384, the
 * e5-small dimension) with ~150-word synthetic passages through the backend, then time a batch of kNN
 * queries and their overlap with exact search. Prints docs/s and queries/s.
 * Usage: npx tsx scripts/bench-opensearch.ts [--docs 20000] [--dim 384] [--queries 200] [--keep]
 *        [--opensearch-url ...] [--bulk-size 250] [--bulk-concurrency 2] [--hnsw-m 16] ...
 * Random vectors are a hard case for HNSW: the overlap printed is a lower bound for real embeddings.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exactTopK } from '../src/backends/exact.js';
import { OpenSearchBackend } from '../src/backends/opensearch.js';
import { topKOverlap } from '../src/eval/overlap.js';
import { rankedRunOf } from '../src/ranking.js';
import { openSearchOptionsFrom, withOpenSearchOptions } from '../src/engines/opensearch-options.js';
import { memoryCorpus } from '../src/datasets/corpus.js';
import { matrixVectors } from '../src/embed/passage-vectors.js';
import { Prng } from '../src/eval/prng.js';
import type { Doc, Matrix, Query } from '../src/types.js';
import { fillUnitVector } from './lib/unit-vectors.js';

const args = await withOpenSearchOptions(yargs(hideBin(process.argv)))
  .option('docs', { type: 'number', default: 20_000, describe: 'Documents to ingest' })
  .option('dim', { type: 'number', default: 384, describe: 'Vector dimension' })
  .option('queries', { type: 'number', default: 200, describe: 'kNN queries to time' })
  .option('k', { type: 'number', default: 10, describe: 'Hits per query' })
  .option('keep', { type: 'boolean', default: false, describe: 'Keep the index afterwards' })
  .strict()
  .parseAsync();

const rng = new Prng(42);

/** Rows of deterministic unit vectors, L2-normalised like e5 outputs. */
function unitVectors(rows: number, dim: number): Matrix {
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) fillUnitVector(rng, data, i * dim, dim);
  return { data, rows, dim };
}

const vocabulary = 'cell protein gene expression tumor growth factor receptor signal pathway mouse model patient clinical trial risk dose effect level response'.split(' ');
const words = (n: number) => Array.from({ length: n }, () => vocabulary[rng.nextInt(vocabulary.length)]).join(' ');

const docs: Doc[] = Array.from({ length: args.docs }, (_, i) => ({ id: `doc-${i}`, title: words(10), text: words(150) }));
const passages = unitVectors(args.docs, args.dim);
const queries: Query[] = Array.from({ length: args.queries }, (_, i) => ({ id: `q-${i}`, text: '' }));
const queryVectors = unitVectors(args.queries, args.dim);

const opts = { ...openSearchOptionsFrom(args), recreate: true, indexPrefix: 'beir-bench-perf' };
const backend = await OpenSearchBackend.connect(opts);
const key = { dataset: 'synthetic', model: `random-${args.dim}`, system: 'bench', docSet: `${args.docs}`, fingerprint: `${args.docs}x${args.dim}` };
try {
  const t0 = performance.now();
  await backend.index({ key, corpus: memoryCorpus(docs), vectors: { passages: matrixVectors(passages), similarity: 'cosine' } });
  const ingestS = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const run = await backend.search({ key, queries, vectors: queryVectors, k: args.k });
  const searchS = (performance.now() - t1) / 1000;

  const exactRun = rankedRunOf(queries, exactTopK(queryVectors, passages, docs.map((d) => d.id), args.k));
  const { meanOverlap } = topKOverlap(run, exactRun, args.k);

  const d = backend.describe();
  console.log(`OpenSearch ${d.version} at ${d.url}; engine ${opts.engine}, m ${opts.m}, ef_construction ${opts.efConstruction}, ef_search ${opts.efSearch}`);
  console.log(`bulk: ${opts.bulkBatchSize} docs/request, ${opts.concurrency} in flight`);
  console.log(`ingest: ${args.docs} docs x ${args.dim} dims in ${ingestS.toFixed(1)} s = ${(args.docs / ingestS).toFixed(0)} docs/s (create + bulk + refresh + count)`);
  console.log(`search: ${args.queries} kNN queries (k ${args.k}) in ${searchS.toFixed(2)} s = ${(args.queries / searchS).toFixed(0)} queries/s`);
  console.log(`overlap with exact top ${args.k}: ${meanOverlap.toFixed(3)} (random vectors: a lower bound)`);
} finally {
  if (!args.keep) await backend.deleteIndex(key);
  await backend.close();
}

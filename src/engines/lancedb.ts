/**
 * LanceDB, an embedded vector database on disk (src/backends/lancedb.ts): HNSW over scalar-quantised vectors,
 * candidates re-scored on the full vectors, cosine only. Lexical and hybrid systems of `--backend lancedb` run
 * in process (embedded BM25, fusion of the component runs).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { LanceDbOptions } from '../backends/lancedb.js';
import { checkPositiveIntegers } from '../option-checks.js';
import { UserError } from '../errors.js';
import type { DenseEngineDefinition, EngineFamily, FamilyOptions } from './engine.js';

const DEFAULT_DIR = join(homedir(), '.cache', 'beir-bench', 'lancedb');

function withLanceDbOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('lancedb-dir', {
      type: 'string',
      default: process.env.BEIR_BENCH_LANCEDB_DIR || DEFAULT_DIR,
      defaultDescription: '$BEIR_BENCH_LANCEDB_DIR, else ~/.cache/beir-bench/lancedb',
      describe: 'LanceDB database folder (--backend lancedb): one table per dataset, system and vectors, reused when they match',
    })
    .option('lancedb-m', { type: 'number', default: 16, describe: 'LanceDB HNSW graph degree m (index time)' })
    .option('lancedb-ef-construction', { type: 'number', default: 100, describe: 'LanceDB HNSW ef_construction (index time)' })
    .option('lancedb-ef-search', { type: 'number', default: 100, describe: 'LanceDB HNSW ef: candidates examined per query (query time)' })
    .option('lancedb-refine', {
      type: 'number',
      default: 4,
      describe: 'LanceDB refine factor: refine x k candidates re-scored on the full vectors, so scores are exact cosine similarities',
    })
    .option('lancedb-recreate', { type: 'boolean', default: false, describe: 'Rebuild LanceDB tables even when a matching one exists' })
    .option('lancedb-concurrency', { type: 'number', default: 4, describe: 'LanceDB searches in flight' })
    .check((a) => checkPositiveIntegers(a, ['lancedb-m', 'lancedb-ef-construction', 'lancedb-ef-search', 'lancedb-refine', 'lancedb-concurrency']));
}

const LANCEDB_OPTIONS: FamilyOptions<LanceDbOptions> = {
  key: 'lancedb',
  withOptions: withLanceDbOptions,
  group: {
    title: 'LanceDB (lancedb engine):',
    options: ['lancedb-dir', 'lancedb-m', 'lancedb-ef-construction', 'lancedb-ef-search', 'lancedb-refine', 'lancedb-recreate', 'lancedb-concurrency'],
  },
  from: (a) => ({
    dir: String(a['lancedb-dir'] ?? DEFAULT_DIR),
    m: Number(a['lancedb-m'] ?? 16),
    efConstruction: Number(a['lancedb-ef-construction'] ?? 100),
    efSearch: Number(a['lancedb-ef-search'] ?? 100),
    refineFactor: Number(a['lancedb-refine'] ?? 4),
    recreate: Boolean(a['lancedb-recreate']),
    concurrency: Number(a['lancedb-concurrency'] ?? 4),
  }),
  record: (o) => ({ ...o }),
  // A table replaces older ones of the same dataset and system: a matrix's slice and full corpus get folders of their own.
  forEntry: (o, entry) => ({ ...o, dir: join(o.dir, entry) }),
};

const LANCEDB_FAMILY: EngineFamily<LanceDbOptions> = {
  id: 'lancedb',
  options: LANCEDB_OPTIONS,
  packages: ['@lancedb/lancedb'],
  open: async ({ options, quiet }) => {
    if (!options) throw new UserError('the lancedb engine needs its options (--lancedb-dir)');
    return (await import('../backends/lancedb.js')).LanceDbBackend.open({ ...options, quiet });
  },
};

export const LANCEDB: DenseEngineDefinition<'lancedb'> = {
  id: 'lancedb',
  kind: 'dense',
  family: LANCEDB_FAMILY,
  embeds: 'client',
  approximate: true,
  // HNSW: the graph depends on insertion order, so a rebuilt table can return other neighbours.
  deterministic: false,
  words: 'LanceDB HNSW',
  exactTwin: 'exact',
  backend: {
    name: 'lancedb',
    lexical: 'bm25',
    hybrid: 'fusion',
    help: 'LanceDB, an embedded vector database on disk (HNSW, cosine, candidates re-scored exactly), with embedded BM25 and fusion',
  },
};

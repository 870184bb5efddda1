/**
 * LanceDB (embedded, on-disk vector database) as a SearchBackend: one table per index key holding each doc's id
 * and vector, with an IVF-HNSW-SQ index (one partition: a plain HNSW graph over 8-bit scalar-quantised vectors)
 * searched with `ef` candidates and the candidates re-scored on the full vectors (`refineFactor`), so the scores
 * are exact cosine similarities and only the candidate set is approximate.
 *
 * Measured with LanceDB 0.31.0: the index's `dot` distance type has near-zero recall (0.03 on normalised random
 * vectors where `cosine` reaches 0.99), so vectors are indexed with `cosine` only, which is what a model whose
 * similarity is cosine means; a model trained for dot products is refused rather than searched wrongly.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Connection, Table } from '@lancedb/lancedb';
import { FixedSizeList, Field, Float32, Schema, Utf8 } from 'apache-arrow';
import { UserError } from '../errors.js';
import { startProgress } from '../progress.js';
import { rankingCompare, type Scored, type RankedRun } from '../ranking.js';
import { matrixRow } from '../types.js';
import type { IndexInput, SearchBackend, SearchInput } from './backend.js';
import type { IndexKey } from './index-key.js';

export interface LanceDbOptions {
  /** The database folder (tables are subfolders). */
  dir: string;
  /** HNSW graph degree (LanceDB's m). */
  m: number;
  efConstruction: number;
  /** Candidates per query (LanceDB's ef). */
  efSearch: number;
  /** Candidates re-scored on the full vectors: refineFactor x k. */
  refineFactor: number;
  /** Rebuild tables even when a matching one exists. */
  recreate: boolean;
  /** Searches in flight. */
  concurrency: number;
  quiet?: boolean;
}

/** Bump when the table layout changes, so older tables are rebuilt rather than reused. */
const LAYOUT_VERSION = 1;
/** Rows per `add` call while building a table. */
const ADD_ROWS = 4096;

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

/**
 * `<dataset>-<system>-<hash>`: the hash covers the key and the index settings, fingerprint included, so a table is
 * reused only for the very same vectors and settings (a stale one is never searched).
 */
export function tableName(key: IndexKey, settings: Pick<LanceDbOptions, 'm' | 'efConstruction'>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([LAYOUT_VERSION, key.dataset, key.model, key.system, key.docSet, key.fingerprint, settings.m, settings.efConstruction]))
    .digest('hex')
    .slice(0, 12);
  return `${[key.dataset, key.system].map(slug).join('-').slice(0, 120)}-${hash}`;
}

/** Tables of the same dataset and system with other contents: replaced when the new one is built. */
const staleStem = (name: string): string => name.slice(0, name.lastIndexOf('-') + 1);

export class LanceDbBackend implements SearchBackend {
  readonly name = 'lancedb';
  private readonly tables = new Map<string, Table>();

  private constructor(
    private readonly db: Connection,
    private readonly opts: LanceDbOptions,
    private readonly lancedb: typeof import('@lancedb/lancedb'),
  ) {}

  static async open(opts: LanceDbOptions): Promise<LanceDbBackend> {
    for (const [flag, v] of [['--lancedb-m', opts.m], ['--lancedb-ef-construction', opts.efConstruction], ['--lancedb-ef-search', opts.efSearch], ['--lancedb-refine', opts.refineFactor]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new UserError(`${flag} must be a positive integer, got ${v}`);
    }
    // LanceDB's native logger, set up when the module loads (hence the import here), prints routine notices
    // ("No existing dataset ... will be created") as warnings.
    process.env.LANCEDB_LOG ??= 'error';
    const lancedb = await import('@lancedb/lancedb');
    try {
      await mkdir(opts.dir, { recursive: true });
      return new LanceDbBackend(await lancedb.connect(opts.dir), opts, lancedb);
    } catch (err) {
      throw new UserError(`Cannot open the LanceDB database at ${opts.dir}: ${(err as Error).message}`);
    }
  }

  private log(message: string): void {
    if (!this.opts.quiet) process.stderr.write(`${message}\n`);
  }

  async index({ key, corpus, vectors, lexical }: IndexInput): Promise<void> {
    if (!vectors || lexical) throw new Error('lancedb backend: indexes hold vectors only');
    if (vectors.similarity !== 'cosine') {
      throw new UserError(`the lancedb engine searches cosine similarity only (its dot-product HNSW index has near-zero recall in LanceDB 0.31); ${key.system} is a dot-product model`);
    }
    const { passages } = vectors;
    if (passages.rows !== corpus.size) throw new Error(`lancedb backend: ${passages.rows} vectors for ${corpus.size} docs`);
    const name = tableName(key, this.opts);
    const existing = await this.db.tableNames();
    if (existing.includes(name) && !this.opts.recreate) {
      const table = await this.db.openTable(name);
      const rows = await table.countRows();
      if (rows === corpus.size && (await table.listIndices()).length > 0) {
        this.log(`reusing LanceDB table ${name} (${rows} docs)`);
        this.tables.set(name, table);
        return;
      }
      this.log(`rebuilding LanceDB table ${name}: ${rows} rows or no index, expected ${corpus.size} indexed rows`);
    }
    for (const old of existing.filter((t) => t.startsWith(staleStem(name)))) await this.db.dropTable(old);

    const schema = new Schema([new Field('id', new Utf8(), false), new Field('vector', new FixedSizeList(passages.dim, new Field('item', new Float32(), true)), false)]);
    const table = await this.db.createEmptyTable(name, schema, { mode: 'overwrite' });
    const progress = startProgress({ label: `LanceDB ingesting ${key.dataset} ${key.system}`, total: corpus.size, unit: 'docs', quiet: !!this.opts.quiet });
    try {
      for await (const block of passages.blocks(ADD_ROWS)) {
        const rows = [];
        for (let r = 0; r < block.matrix.rows; r++) rows.push({ id: corpus.ids.id(block.offset + r), vector: Array.from(matrixRow(block.matrix, r)) });
        await table.add(rows);
        progress.tick(rows.length);
      }
    } finally {
      progress.stop();
    }
    this.log(`LanceDB: building the HNSW index of ${name}`);
    await table.createIndex('vector', {
      config: this.lancedb.Index.hnswSq({ distanceType: 'cosine', numPartitions: 1, m: this.opts.m, efConstruction: this.opts.efConstruction }),
    });
    this.tables.set(name, table);
  }

  async search({ key, queries, vectors, k, hybrid }: SearchInput): Promise<RankedRun> {
    if (hybrid) throw new Error('lancedb backend: no hybrid search; fuse the component runs instead');
    if (!vectors || vectors.rows !== queries.length) throw new Error('lancedb backend: one query vector per query is needed');
    const table = this.tables.get(tableName(key, this.opts));
    if (!table) throw new Error(`lancedb backend: no table for ${key.dataset}/${key.system}; call index() first`);
    const { efSearch, refineFactor, concurrency } = this.opts;
    const hits: Scored[][] = new Array(queries.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < queries.length; i = next++) {
        const rows = await table
          .vectorSearch(matrixRow(vectors, i))
          .column('vector')
          .distanceType('cosine')
          .ef(efSearch)
          .refineFactor(refineFactor)
          .limit(k)
          .select(['id', '_distance'])
          .toArray();
        // cosine distance = 1 - cos, computed in float32 by LanceDB; the score is the similarity.
        hits[i] = rows.map((r: { id: string; _distance: number }) => ({ id: r.id, score: 1 - r._distance })).sort(rankingCompare);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queries.length) }, worker));
    return new Map(queries.map((q, i) => [q.id, hits[i]]));
  }

  describe(): Record<string, unknown> {
    const o = this.opts;
    return {
      backend: this.name,
      dir: o.dir,
      index: { type: 'IVF_HNSW_SQ', partitions: 1, distance: 'cosine', m: o.m, efConstruction: o.efConstruction },
      search: { efSearch: o.efSearch, refineFactor: o.refineFactor, scores: '1 - cosine distance, re-scored on full vectors' },
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

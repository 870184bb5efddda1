/**
 * OpenSearch as a SearchBackend: one index per (dataset, system) holding title, text and either a
 * knn_vector (HNSW) or a title+text BM25 field; vectors come precomputed from the embedding cache.
 *
 * Scores are the engine's, not raw similarities. With space_type cosinesimil OpenSearch returns
 * (1 + cos) / 2; with innerproduct, dot + 1 when dot >= 0, else 1 / (1 - dot). Both are monotonic in the
 * similarity, so rankings (and metrics) equal those of the raw similarity.
 */
import type { Client } from '@opensearch-project/opensearch';
import { rankDocs, type RankedRun } from '../ranking.js';
import { matrixRow, type Run } from '../types.js';
import { UserError } from '../errors.js';
import type { HybridSearch, IndexInput, SearchBackend, SearchInput, VectorInput } from './backend.js';
import type { IndexKey } from './index-key.js';
import { BM25_B, BM25_K1 } from './bm25.js';
import { bulkIngest, corpusRows, float32Json } from './opensearch-bulk.js';
import {
  connectProbed,
  DEFAULT_RETRY,
  describeOpenSearch,
  errorReason,
  refreshAndCount,
  redactUrl,
  withRetry,
  type NodeInfo,
  type OpenSearchOptions,
  type RetryPolicy,
} from './opensearch-client.js';
import { hybridPipelineBody, hybridPipelineName, hybridQueryBody, NEURAL_SEARCH_PLUGIN } from './opensearch-hybrid.js';
import { CONTENTS_FIELD, createIndexBody, indexName, reuseMismatch, VECTOR_FIELD, type IndexSpec } from './opensearch-index.js';
import { msearchRun, msearchTopKWithTies, type SearchRequest } from './opensearch-search.js';


/** knn_vector space_type, and how OpenSearch turns that similarity into a score, per model similarity. */
const SPACE = {
  cosine: { type: 'cosinesimil', score: '(1 + cos) / 2' },
  dot: { type: 'innerproduct', score: 'dot + 1 if dot >= 0 else 1 / (1 - dot)' },
} as const;

/**
 * The node's BM25 score over the BM25 formula (the embedded engine's), by OpenSearch version: 2.x scores with
 * Lucene's LegacyBM25Similarity, which multiplies by (1 + k1); 3.x (Lucene 10) with BM25Similarity itself. The
 * ranking is the same on both lines (test/opensearch/cross-version.test.ts).
 */
export function nodeBm25Factor(version: string): number {
  return Number.parseInt(version, 10) >= 3 ? 1 : 1 + BM25_K1;
}

/** Queries per _msearch request: large enough to amortise the round trip, small enough to stay under limits. */
const MSEARCH_BATCH = 50;

function validate(opts: OpenSearchOptions): void {
  const positive: [string, number][] = [
    ['--hnsw-m', opts.m],
    ['--ef-construction', opts.efConstruction],
    ['--ef-search', opts.efSearch],
    ['--bulk-concurrency', opts.concurrency],
    ['--bulk-size', opts.bulkBatchSize],
  ];
  for (const [name, v] of positive) {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`${name} must be a positive integer, got ${v}`);
  }
  if (opts.engine !== 'lucene' && opts.engine !== 'faiss') throw new UserError(`--engine must be lucene or faiss, got ${opts.engine}`);
}

export class OpenSearchBackend implements SearchBackend {
  readonly name = 'opensearch';
  private readonly retry: RetryPolicy;

  private constructor(
    private readonly client: Client,
    private readonly opts: OpenSearchOptions,
    private readonly node: NodeInfo,
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
  }

  /** Connects and probes the node; fails fast with a UserError naming the URL. */
  static async connect(opts: OpenSearchOptions): Promise<OpenSearchBackend> {
    validate(opts);
    const { client, node } = await connectProbed({ url: opts.url, caFile: opts.caFile, insecure: opts.insecure, auth: opts.auth });
    return new OpenSearchBackend(client, opts, node);
  }

  /** The index name used for key. */
  indexName(key: Pick<IndexKey, 'dataset' | 'model' | 'system' | 'docSet'>): string {
    return indexName(key, this.opts.indexPrefix);
  }

  private where(index: string): string {
    return `index "${index}" at ${redactUrl(this.opts.url)}`;
  }

  private log(message: string): void {
    if (!this.opts.quiet) process.stderr.write(`${message}\n`);
  }

  /** The index layout: a knn_vector field sized and scored for the vectors (their model's similarity), BM25, or both (hybrid). */
  private spec(key: IndexKey, vectors: VectorInput | undefined, lexical: boolean): IndexSpec {
    const bm25 = { k1: BM25_K1, b: BM25_B };
    const o = this.opts;
    const shards = o.shards ?? 1;
    const replicas = o.replicas ?? 0;
    const layout = shards !== 1 || replicas !== 0 ? { layout: { shards, replicas } } : {};
    if (!vectors) return { key, bm25, ...layout };
    return {
      key,
      ...layout,
      ...(lexical ? { bm25 } : {}),
      vector: {
        dimension: vectors.passages.dim,
        engine: o.engine,
        spaceType: SPACE[vectors.similarity].type,
        m: o.m,
        efConstruction: o.efConstruction,
      },
    };
  }

  /** Rebuilds the index unless an existing one matches key (incl. fingerprint), mapping and doc count. */
  async index({ key, corpus, vectors, lexical = false }: IndexInput): Promise<void> {
    const index = this.indexName(key);
    if (vectors) {
      if (!this.node.plugins.includes('opensearch-knn')) {
        throw new UserError(`OpenSearch at ${redactUrl(this.opts.url)} has no k-NN plugin (plugins: ${this.node.plugins.join(', ') || 'none'})`);
      }
      if (vectors.passages.rows !== corpus.size) throw new Error(`${vectors.passages.rows} vectors for ${corpus.size} docs (${index})`);
    }
    const spec = this.spec(key, vectors, lexical);
    try {
      if ((await this.client.indices.exists({ index })).body) {
        const reason = this.opts.recreate ? 'recreate was requested' : await this.mismatch(index, spec, corpus.size);
        if (reason === null) {
          this.log(`reusing ${this.where(index)} (${corpus.size} docs)`);
          return;
        }
        this.log(`rebuilding ${this.where(index)}: ${reason}`);
        await this.client.indices.delete({ index });
      }
      await this.client.indices.create({ index, body: createIndexBody(spec) });
    } catch (err) {
      throw err instanceof UserError ? err : new UserError(`Cannot prepare ${this.where(index)}: ${errorReason(err)}`);
    }
    await bulkIngest(this.client, corpusRows(corpus, vectors?.passages), {
      index,
      url: this.opts.url,
      concurrency: this.opts.concurrency,
      batchSize: this.opts.bulkBatchSize,
      retry: this.retry,
      quiet: this.opts.quiet,
    });
    const count = await refreshAndCount(this.client, index, this.opts.url);
    if (count !== corpus.size) {
      throw new UserError(`${this.where(index)} holds ${count} documents after ingestion, expected ${corpus.size} (duplicate doc ids?)`);
    }
  }

  private async mismatch(index: string, spec: IndexSpec, docCount: number): Promise<string | null> {
    const mapping = (await this.client.indices.getMapping({ index })).body[index]?.mappings ?? {};
    return reuseMismatch({ mapping, docCount: await refreshAndCount(this.client, index, this.opts.url) }, spec, docCount);
  }


  /** PUT the search pipeline of a fusion (idempotent) and return its name. */
  private async hybridPipeline(fusion: HybridSearch['fusion']): Promise<string> {
    if (!this.node.plugins.includes(NEURAL_SEARCH_PLUGIN)) {
      throw new UserError(`OpenSearch at ${redactUrl(this.opts.url)} has no ${NEURAL_SEARCH_PLUGIN} plugin, which hybrid queries need (plugins: ${this.node.plugins.join(', ') || 'none'})`);
    }
    const id = hybridPipelineName(fusion, this.opts.indexPrefix);
    try {
      await withRetry(() => this.client.transport.request({ method: 'PUT', path: `/_search/pipeline/${id}`, body: hybridPipelineBody(fusion) }), this.retry);
    } catch (err) {
      throw new UserError(`Cannot create search pipeline "${id}" at ${redactUrl(this.opts.url)}: ${errorReason(err)}`);
    }
    return id;
  }

  async search({ key, queries, vectors, k, hybrid }: SearchInput): Promise<RankedRun> {
    const index = this.indexName(key);
    if (vectors && vectors.rows !== queries.length) throw new Error(`${vectors.rows} query vectors for ${queries.length} queries`);
    if (hybrid && !vectors) throw new Error('a hybrid search needs query vectors');
    const pipeline = hybrid ? await this.hybridPipeline(hybrid.fusion) : null;
    const msearch = { index, url: this.opts.url, concurrency: this.opts.concurrency, batchSize: MSEARCH_BATCH, retry: this.retry };
    let run: Run;
    if (!vectors) {
      // BM25 scores tie often (short queries): the tie at the k-th hit is completed, so a rebuilt index returns the same run.
      const texts = new Map(queries.map((q) => [q.id, q.text]));
      const body = (id: string, size: number) => ({ size, _source: false, track_total_hits: false, query: { match: { [CONTENTS_FIELD]: texts.get(id)! } } });
      run = await msearchTopKWithTies(this.client, [...texts.keys()], body, k, msearch);
    } else {
      const requests: SearchRequest[] = queries.map((q, i) => {
        const vector = float32Json(matrixRow(vectors, i));
        if (hybrid && pipeline) return { queryId: q.id, body: hybridQueryBody(hybrid, q.text, vector, k, this.opts.efSearch, pipeline) };
        const query = { knn: { [VECTOR_FIELD]: { vector, k, method_parameters: { ef_search: this.opts.efSearch } } } };
        return { queryId: q.id, body: { size: k, _source: false, track_total_hits: false, query } };
      });
      run = await msearchRun(this.client, requests, msearch);
    }
    // The node breaks score ties by its internal doc order; the shared order breaks them by doc id.
    return new Map(queries.map((q) => [q.id, rankDocs(run.get(q.id) ?? new Map()).slice(0, k)]));
  }

  /** Remove the index of key if it exists (scripts and cleanup). */
  async deleteIndex(key: Pick<IndexKey, 'dataset' | 'model' | 'system' | 'docSet'>): Promise<void> {
    await this.client.indices.delete({ index: this.indexName(key), ignore_unavailable: true });
  }

  describe(): Record<string, unknown> {
    return describeOpenSearch(this.name, this.opts, this.node, {
      knn: { spaceTypes: Object.fromEntries(Object.values(SPACE).map((s) => [s.type, s.score])) },
      bm25: { k1: BM25_K1, b: BM25_B, analyzer: 'standard', field: 'title + text (copy_to)', scores: nodeBm25Factor(this.node.version) === 1 ? 'Lucene BM25Similarity as the node computes it (3.x)' : 'Lucene LegacyBM25Similarity as the node computes it (2.x): BM25 x (1 + k1)' },
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

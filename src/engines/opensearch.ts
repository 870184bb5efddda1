/** OpenSearch: k-NN (HNSW) over vectors computed here, BM25, and the cluster's hybrid query. */
import { redactUrl } from '../backends/opensearch-client.js';
import type { OpenSearchOptions } from '../backends/opensearch-client.js';
import { openSearchOptionsFrom, withOpenSearchOptions, type OpenSearchArgs } from './opensearch-options.js';
import { UserError } from '../errors.js';
import type { DenseEngineDefinition, FamilyOptions, HybridEngineDefinition, LexicalEngineDefinition, OpenContext, EngineFamily } from './engine.js';

/** Connection, HNSW and ingestion settings; the opensearch-ml family shares them. */
export const OPENSEARCH_OPTIONS: FamilyOptions<OpenSearchOptions> = {
  key: 'opensearch',
  withOptions: withOpenSearchOptions,
  group: {
    title: 'OpenSearch (opensearch-* engines):',
    options: ['opensearch-url', 'opensearch-ca', 'opensearch-insecure', 'opensearch-auth', 'opensearch-region', 'opensearch-service', 'engine', 'hnsw-m', 'ef-construction', 'ef-search', 'recreate', 'bulk-concurrency', 'bulk-size', 'shards', 'replicas', 'index-prefix'],
  },
  from: (args) => openSearchOptionsFrom(args as unknown as OpenSearchArgs),
  // A URL may carry user:password; results are shared, credentials never are.
  record: (o) => ({ ...o, url: redactUrl(o.url) }),
  // Indexes named per entry: a slice and the full corpus of one dataset (same system ids) would otherwise
  // share index names and evict each other, rebuilding every HNSW graph on every run.
  forEntry: (o, entry) => ({ ...o, indexPrefix: `${o.indexPrefix ?? 'beir-bench'}-${entry}` }),
};

/** The settings, or the error a user sees when a system needs OpenSearch and none were given. */
export function openSearchSettings({ options, quiet }: OpenContext<OpenSearchOptions>, engines: string): OpenSearchOptions {
  if (!options) throw new UserError(`${engines} needs OpenSearch options (--opensearch-url)`);
  return { ...options, quiet };
}

export const OPENSEARCH: EngineFamily<OpenSearchOptions> = {
  id: 'opensearch',
  options: OPENSEARCH_OPTIONS,
  packages: ['@opensearch-project/opensearch'],
  open: async (ctx) => (await import('../backends/opensearch.js')).OpenSearchBackend.connect(openSearchSettings(ctx, 'an opensearch-* engine')),
};

export const OPENSEARCH_KNN: DenseEngineDefinition<'opensearch-knn'> = {
  id: 'opensearch-knn',
  kind: 'dense',
  family: OPENSEARCH,
  embeds: 'client',
  approximate: true,
  // HNSW: the graph depends on insertion order and concurrency, so a rebuilt index can return other neighbours.
  deterministic: false,
  words: 'OpenSearch HNSW',
  exactTwin: 'exact',
  backend: {
    name: 'opensearch',
    lexical: 'opensearch-bm25',
    hybrid: 'opensearch-hybrid',
    help: 'an OpenSearch cluster (HNSW with vectors computed here, BM25, and its hybrid query)',
  },
};

export const OPENSEARCH_BM25: LexicalEngineDefinition<'opensearch-bm25'> = {
  id: 'opensearch-bm25',
  kind: 'lexical',
  family: OPENSEARCH,
  approximate: false,
  // Measured: fresh indexes of full SciFact and NFCorpus return byte-identical runs (docs/REGRESSION.md).
  deterministic: true,
  words: 'OpenSearch',
  description: 'OpenSearch BM25 over title + text',
  // Inside a hybrid's exact twin: the same formula in process.
  exactTwin: 'bm25',
};

export const OPENSEARCH_HYBRID: HybridEngineDefinition<'opensearch-hybrid'> = {
  id: 'opensearch-hybrid',
  kind: 'hybrid',
  family: OPENSEARCH,
  fusedBy: 'engine',
  approximate: true,
  // The cluster's hybrid query searches an HNSW index.
  deterministic: false,
  words: 'OpenSearch hybrid',
  description: 'OpenSearch hybrid query (search pipeline)',
  // The cluster's fusion, recomputed in process from exact search and embedded BM25: what HNSW (and the node's BM25) cost.
  exactTwin: 'fusion',
  tag: { id: 'opensearch', label: 'OpenSearch' },
  // The cluster searches both in one index: its BM25 and its HNSW graph.
  componentEngines: { dense: 'opensearch-knn', lexical: 'opensearch-bm25' },
};

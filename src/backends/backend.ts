import type { FusionSpec } from '../fusion/fuse.js';
import type { RankedRun } from '../ranking.js';
import type { Corpus } from '../datasets/corpus.js';
import type { PassageVectors } from '../embed/passage-vectors.js';
import type { Matrix, Query } from '../types.js';
import type { IndexKey } from './index-key.js';
import type { ServerEmbedding } from './opensearch-ml/requests.js';



/** Passage vectors and the similarity they were trained for (cosine = dot product on normalised vectors). */
export interface VectorInput {
  /** Row i is the vector of the corpus's row i, read block by block (from the embedding cache in a bench run). */
  passages: PassageVectors;
  similarity: 'cosine' | 'dot';
}

export interface IndexInput {
  key: IndexKey;
  /** The docs to index, streamed (`corpus.stream()`, as often as needed) and never held whole; `corpus.ids` are their ids. */
  corpus: Corpus;
  /** Absent for lexical indexes. */
  vectors?: VectorInput;
  /** With vectors: also index title + text for BM25, so one index serves hybrid queries. */
  lexical?: boolean;
  /** Engines that embed on the server: the model that embeds the passages (instead of `vectors`). */
  serverEmbedding?: ServerEmbedding;
}

/** What indexing recorded beyond the engine's settings: objects created (results.json `engine`) and timings. */
export interface IndexOutcome {
  record: Record<string, unknown>;
  timings: Record<string, number>;
}

/** Text and vectors searched together and fused by the engine (an index built with vectors and `lexical`). */
export interface HybridSearch {
  fusion: FusionSpec;
  /** Hits each sub-query contributes before fusion. */
  depth: number;
  /** The sub-queries in the order the fusion's weights refer to. */
  order: ('lexical' | 'dense')[];
}

export interface SearchInput {
  /** The index to search (as passed to index()). */
  key: IndexKey;
  queries: Query[];
  /** Row i is the query vector of queries[i]; absent for lexical indexes (query text is used). */
  vectors?: Matrix;
  /** Hits wanted per query (the caller asks k + 1 when it will drop self hits). */
  k: number;
  /** Search the query text and vectors together, fused by the engine (OpenSearch's hybrid query). */
  hybrid?: HybridSearch;
  /** Engines that embed on the server: the model that embeds the query texts (instead of `vectors`). */
  serverEmbedding?: ServerEmbedding;
}

/**
 * A search engine family the retrieval layer indexes into and searches (src/engines/ says which serves which
 * engine). Engines never see systems, only indexes of docs and vectors, or of docs and the model that embeds them.
 */
export interface SearchBackend {
  readonly name: string;
  index(input: IndexInput): Promise<IndexOutcome | void>;
  /** Top-k per query, in the shared ranking order; scores as the engine computed them. */
  search(input: SearchInput): Promise<RankedRun>;
  /** Settings worth recording in results.json (never credentials). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}


import type { Doc, Matrix, Query, Run } from '../types.js';

/** Identifies one index: a corpus encoded by one model under one arm (or BM25). */
export interface IndexKey {
  dataset: string;
  model: string;
  arm: string;
  /** Content hash of what was indexed (doc ids, vector source), so a stale index is never reused. */
  fingerprint: string;
}

export interface IndexInput {
  key: IndexKey;
  docs: Doc[];
  /** Row i is the passage vector of docs[i]; absent for lexical (BM25) arms. */
  vectors?: Matrix;
}

export interface SearchInput {
  /** The index to search (as passed to index()). */
  key: IndexKey;
  queries: Query[];
  /** Row i is the query vector of queries[i]; absent for lexical (BM25) arms (query text is used). */
  vectors?: Matrix;
  /** Hits wanted per query (the caller asks k + 1 when it will drop self hits). */
  k: number;
}

/**
 * A retrieval engine the bench can index into and search. The embedded exact engine and OpenSearch
 * implement it, so every arm, cache and report works the same on either.
 */
export interface SearchBackend {
  readonly name: string;
  index(input: IndexInput): Promise<void>;
  /** Top-k per query; scores as the engine computed them (ranking order is the shared one). */
  search(input: SearchInput): Promise<Run>;
  /** Settings worth recording in results.json (never credentials). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

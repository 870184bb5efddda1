/**
 * The shape of a beir-bench index in OpenSearch: its name, its creation body (mapping, settings, _meta)
 * and the rule for reusing an existing one.
 */
import { createHash } from 'node:crypto';
import type { IndexKey } from './index-key.js';

export const VECTOR_FIELD = 'vector';
/** title and text copied into one field: BM25 over it is "flat" BM25, as Pyserini's BEIR baseline. */
export const CONTENTS_FIELD = 'contents';
const META_KEY = 'beir-bench';
/** Bump when the index layout changes, so older indexes are rebuilt rather than reused. */
const LAYOUT_VERSION = 2;

export interface VectorSpec {
  dimension: number;
  engine: 'lucene' | 'faiss';
  spaceType: 'cosinesimil' | 'innerproduct';
  m: number;
  efConstruction: number;
}

export interface Bm25Spec {
  k1: number;
  b: number;
}

/** vector (kNN systems), bm25 (lexical systems), or both (hybrid systems: one index for the match and knn sub-queries). */
export interface IndexSpec {
  key: IndexKey;
  vector?: VectorSpec;
  bm25?: Bm25Spec;
  /** Shards and replicas other than one and none (--shards / --replicas); absent: 1 and 0. */
  layout?: { shards: number; replicas: number };
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * `<prefix>-<dataset>-<system>-<hash>` (the system id names the model), lowercased and reduced to [a-z0-9-] as index names require.
 * The hash of the exact (dataset, model, system, doc set) keeps names distinct when two keys slug alike
 * (`a/b` vs `a-b`) and gives a slice of a corpus its own index; the fingerprint is not in the name, so an
 * index of other vectors (new weights, other settings) is replaced in place.
 */
export function indexName(key: Pick<IndexKey, 'dataset' | 'model' | 'system' | 'docSet'>, prefix = 'beir-bench'): string {
  const hash = createHash('sha256').update(`${key.dataset}\0${key.model}\0${key.system}\0${key.docSet}`).digest('hex').slice(0, 8);
  const readable = [prefix, key.dataset, key.system].map(slug).filter(Boolean).join('-').slice(0, 200);
  return `${readable}-${hash}`;
}

/** Everything reuse depends on; stored in the mapping's _meta. */
function meta(spec: IndexSpec): Record<string, unknown> {
  // Shards/replicas recorded only when not the default, so indexes built before the options existed stay reusable.
  return { layout: LAYOUT_VERSION, key: spec.key, vector: spec.vector ?? null, bm25: spec.bm25 ?? null, ...(spec.layout ? { shards: spec.layout } : {}) };
}

function properties(spec: IndexSpec): Record<string, unknown> {
  // An array, as the server returns it: reuse compares this mapping with the stored one.
  const copy = spec.bm25 ? { copy_to: [CONTENTS_FIELD] } : {};
  const props: Record<string, unknown> = {
    title: { type: 'text', ...copy },
    text: { type: 'text', ...copy },
  };
  if (spec.bm25) props[CONTENTS_FIELD] = { type: 'text' };
  if (spec.vector) {
    const v = spec.vector;
    props[VECTOR_FIELD] = {
      type: 'knn_vector',
      dimension: v.dimension,
      method: { name: 'hnsw', engine: v.engine, space_type: v.spaceType, parameters: { m: v.m, ef_construction: v.efConstruction } },
    };
  }
  return props;
}

/** Body of PUT /<index>. One shard by default so BM25 statistics are global and each segment holds one HNSW graph. */
export function createIndexBody(spec: IndexSpec): Record<string, unknown> {
  const index: Record<string, unknown> = {
    number_of_shards: spec.layout?.shards ?? 1,
    number_of_replicas: spec.layout?.replicas ?? 0,
    // No periodic refresh while bulk loading; the backend refreshes once at the end.
    refresh_interval: '-1',
  };
  if (spec.vector) index.knn = true;
  if (spec.bm25) index.similarity = { default: { type: 'BM25', k1: spec.bm25.k1, b: spec.bm25.b } };
  return {
    settings: { index },
    mappings: {
      _meta: { [META_KEY]: meta(spec) },
      dynamic: 'strict',
      // Vectors are searchable from the graph; keeping them in _source too would double the disk use.
      ...(spec.vector ? { _source: { excludes: [VECTOR_FIELD] } } : {}),
      properties: properties(spec),
    },
  };
}

/** Every leaf of `expected` is present and equal in `actual` (the server adds defaults to mappings). */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  }
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
}

export interface ExistingIndex {
  /** The index's mapping as GET /<index>/_mapping returns it under `mappings`. */
  mapping: { _meta?: Record<string, unknown>; properties?: Record<string, unknown> };
  docCount: number;
}

/** Why an existing index cannot serve `spec` with `docCount` docs, or null when it can be reused. */
export function reuseMismatch(existing: ExistingIndex, spec: IndexSpec, docCount: number): string | null {
  const stored = existing.mapping._meta?.[META_KEY];
  if (!contains(stored, meta(spec)) || !contains(meta(spec), stored)) {
    return `its metadata differs (stored ${JSON.stringify(stored ?? null)})`;
  }
  if (!contains(existing.mapping.properties, properties(spec))) return 'its field mapping differs';
  if (existing.docCount !== docCount) return `it holds ${existing.docCount} documents, expected ${docCount}`;
  return null;
}

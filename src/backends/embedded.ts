import type { Matrix } from '../types.js';
import { rankedRunOf, type IndexInput, type IndexKey, type RankedRun, type SearchBackend, type SearchInput } from './backend.js';
import { BM25_B, BM25_K1, Bm25Index } from './bm25.js';
import { exactSearch } from '../search/exact-gemm.js';

type EmbeddedIndex =
  | { kind: 'vector'; docIds: string[]; vectors: Matrix }
  | { kind: 'lexical'; bm25: Bm25Index };

const keyString = (key: IndexKey): string => `${key.dataset}\u0000${key.system}`;

/** The default engines: exact vector search in process, and BM25. Indexes live for the run. */
export class EmbeddedBackend implements SearchBackend {
  readonly name = 'embedded';
  private readonly indexes = new Map<string, EmbeddedIndex>();

  async index({ key, docs, vectors }: IndexInput): Promise<void> {
    this.indexes.set(
      keyString(key),
      vectors ? { kind: 'vector', docIds: docs.map((d) => d.id), vectors: vectors.matrix } : { kind: 'lexical', bm25: Bm25Index.build(docs) },
    );
  }

  async search({ key, queries, vectors, k }: SearchInput): Promise<RankedRun> {
    const idx = this.indexes.get(keyString(key));
    if (!idx) throw new Error(`embedded backend: no index for ${key.dataset}/${key.system}; call index() first`);
    if (idx.kind === 'lexical') return rankedRunOf(queries, queries.map((q) => idx.bm25.search(q.text, k)));
    if (!vectors) throw new Error(`embedded backend: vector index ${key.system} searched without query vectors`);
    return rankedRunOf(queries, await exactSearch({ queries: vectors, passages: idx.vectors, docIds: idx.docIds, k }));
  }

  describe(): Record<string, unknown> {
    return {
      backend: this.name,
      vectorSearch: 'exact dot product over float32 vectors (cosine on L2-normalised ones): GEMM preselection, exact float64 rescoring',
      lexicalSearch: { algorithm: 'BM25 (Lucene formula)', k1: BM25_K1, b: BM25_B },
    };
  }

  async close(): Promise<void> {
    this.indexes.clear();
  }
}

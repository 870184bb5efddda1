import type { Doc, Matrix, Run } from '../types.js';
import type { IndexInput, IndexKey, SearchBackend, SearchInput } from './backend.js';
import { BM25_B, BM25_K1, Bm25Index } from './bm25.js';
import { exactTopK } from './exact.js';

type EmbeddedIndex =
  | { kind: 'vector'; docIds: string[]; vectors: Matrix }
  | { kind: 'lexical'; bm25: Bm25Index };

function keyString(key: IndexKey): string {
  return `${key.dataset}\u0000${key.model}\u0000${key.arm}`;
}

/** The default backend: exact vector search in process, plus BM25 for the lexical arm. */
export class EmbeddedBackend implements SearchBackend {
  readonly name = 'embedded';
  private readonly indexes = new Map<string, EmbeddedIndex>();

  async index({ key, docs, vectors }: IndexInput): Promise<void> {
    this.indexes.set(
      keyString(key),
      vectors ? { kind: 'vector', docIds: docs.map((d: Doc) => d.id), vectors } : { kind: 'lexical', bm25: Bm25Index.build(docs) },
    );
  }

  async search({ key, queries, vectors, k }: SearchInput): Promise<Run> {
    const idx = this.indexes.get(keyString(key));
    if (!idx) throw new Error(`embedded backend: no index for ${key.dataset}/${key.model}/${key.arm}; call index() first`);
    const run: Run = new Map();
    if (idx.kind === 'vector') {
      if (!vectors) throw new Error(`embedded backend: vector index ${key.arm} searched without query vectors`);
      const hits = exactTopK(vectors, idx.vectors, idx.docIds, k);
      queries.forEach((q, i) => run.set(q.id, new Map(hits[i].map((h) => [h.id, h.score]))));
    } else {
      for (const q of queries) run.set(q.id, new Map(idx.bm25.search(q.text, k).map((h) => [h.id, h.score])));
    }
    return run;
  }

  describe(): Record<string, unknown> {
    return {
      backend: this.name,
      vectorSearch: 'exact dot product over L2-normalised float32 vectors',
      lexicalSearch: { algorithm: 'BM25 (Lucene formula)', k1: BM25_K1, b: BM25_B },
    };
  }

  async close(): Promise<void> {
    this.indexes.clear();
  }
}

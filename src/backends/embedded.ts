import type { DocTable } from '../datasets/doc-table.js';
import type { PassageVectors } from '../embed/passage-vectors.js';
import type { MemoryBudget } from '../memory-budget.js';
import { startProgress } from '../progress.js';
import { blockRowsFor, exactSearch } from '../search/exact-gemm.js';
import { type IndexInput, type SearchBackend, type SearchInput } from './backend.js';
import { type IndexKey } from './index-key.js';
import { rankedRunOf, type RankedRun } from '../ranking.js';
import { BM25_B, BM25_K1, Bm25Index } from './bm25.js';

type EmbeddedIndex =
  | { kind: 'vector'; docIds: DocTable; vectors: PassageVectors }
  | { kind: 'lexical'; bm25: Bm25Index };

/** The stream, counting each item as it passes. */
async function* ticking<T>(items: AsyncIterable<T>, tick: (n: number) => void): AsyncGenerator<T> {
  for await (const item of items) {
    tick(1);
    yield item;
  }
}

const keyString = (key: IndexKey): string => `${key.dataset}\u0000${key.system}`;

/**
 * The default engines: exact vector search in process, and BM25. Indexes live for the run. Vectors stay where they
 * are (the embedding cache) and are searched block by block, blocks sized by the memory budget; BM25 is built from
 * the corpus stream, after checking that its estimated size fits the budget.
 */
export class EmbeddedBackend implements SearchBackend {
  readonly name = 'embedded';
  private readonly indexes = new Map<string, EmbeddedIndex>();

  constructor(
    private readonly memory: MemoryBudget,
    private readonly quiet = false,
  ) {}

  /** `fn` with a progress bar of `total` units (BM25 over millions of docs and exact search take minutes). */
  private async withProgress<T>(label: string, total: number, unit: string, fn: (tick: (n: number) => void) => Promise<T>): Promise<T> {
    const progress = startProgress({ label, total, unit, quiet: this.quiet });
    try {
      return await fn((n) => progress.tick(n));
    } finally {
      progress.stop();
    }
  }

  async index({ key, corpus, vectors, lexical }: IndexInput): Promise<void> {
    // Hybrids run embedded as the fusion of separate runs (src/retrieval/retrieve-hybrid.ts).
    if (vectors && lexical) throw new Error('embedded backend: an index holds vectors or text, not both');
    if (vectors) {
      if (vectors.passages.rows !== corpus.size) throw new Error(`embedded backend: ${vectors.passages.rows} vectors for ${corpus.size} docs`);
      this.indexes.set(keyString(key), { kind: 'vector', docIds: corpus.ids, vectors: vectors.passages });
      return;
    }
    this.memory.checkBm25(corpus.size, corpus.fileBytes);
    const bm25 = await this.withProgress(`BM25 indexing ${key.dataset}`, corpus.size, 'docs', (tick) =>
      Bm25Index.fromStream(ticking(corpus.stream(), tick)),
    );
    this.indexes.set(keyString(key), { kind: 'lexical', bm25 });
  }

  async search({ key, queries, vectors, k, hybrid }: SearchInput): Promise<RankedRun> {
    if (hybrid) throw new Error('embedded backend: no hybrid search; fuse the component runs instead');
    const idx = this.indexes.get(keyString(key));
    if (!idx) throw new Error(`embedded backend: no index for ${key.dataset}/${key.system}; call index() first`);
    if (idx.kind === 'lexical') {
      const { bm25 } = idx;
      return this.withProgress(`BM25 searching ${key.dataset}`, queries.length, 'queries', async (tick) =>
        rankedRunOf(queries, queries.map((q) => (tick(1), bm25.search(q.text, k)))),
      );
    }
    if (!vectors) throw new Error(`embedded backend: vector index ${key.system} searched without query vectors`);
    const memoryBytes = this.memory.searchBlockBytes(idx.vectors.rows, vectors.rows, vectors.dim);
    const passages = idx.vectors.blocks(blockRowsFor(memoryBytes, vectors.rows, vectors.dim));
    const hits = await this.withProgress(`exact search ${key.dataset} ${key.system}`, idx.vectors.rows, 'passages', (tick) =>
      exactSearch({ queries: vectors, passages, docIds: idx.docIds, k, memoryBytes, onBlock: (b) => tick(b.rows) }),
    );
    return rankedRunOf(queries, hits);
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

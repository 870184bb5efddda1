/** The engines that run in process: exact vector search, BM25, and fusion of component runs. */
import { bm25SizeAdvice } from '../backends/bm25.js';
import type { DenseEngineDefinition, EngineFamily, HybridEngineDefinition, LexicalEngineDefinition } from './engine.js';

export const EMBEDDED: EngineFamily = {
  id: 'embedded',
  open: async ({ memory, quiet }) => new (await import('../backends/embedded.js')).EmbeddedBackend(memory, quiet),
};

export const EXACT: DenseEngineDefinition<'exact'> = {
  id: 'exact',
  kind: 'dense',
  family: EMBEDDED,
  embeds: 'client',
  approximate: false,
  // float64 dot products over cached float32 vectors, ties by doc id (src/ranking.ts).
  deterministic: true,
  words: 'exact',
  backend: { name: 'embedded', lexical: 'bm25', hybrid: 'fusion', help: 'in-process exact search and BM25' },
  checkMemory: (memory, ds, dimension) => void memory.searchBlockBytes(ds.corpus.size, ds.queries.length, dimension),
};

export const BM25: LexicalEngineDefinition<'bm25'> = {
  id: 'bm25',
  kind: 'lexical',
  family: EMBEDDED,
  approximate: false,
  // Scores from corpus statistics, not from the order docs were indexed in.
  deterministic: true,
  words: 'embedded',
  description: 'embedded BM25 (Lucene formula) over title + text',
  checkMemory: (memory, ds) => memory.checkBm25(ds.corpus.size, ds.corpus.fileBytes),
  sizeAdvice: bm25SizeAdvice,
};

export const FUSION: HybridEngineDefinition<'fusion'> = {
  id: 'fusion',
  kind: 'hybrid',
  fusedBy: 'harness',
  approximate: false,
  // Computed in process from its components' runs: as reproducible as they are.
  deterministic: true,
  words: 'embedded fusion',
  description: 'embedded fusion of the component runs',
};

/**
 * OpenSearch's own fusion (neural-search plugin): a search pipeline whose phase-results processor normalises and
 * combines the sub-query scores, and a `hybrid` query of a `match` (title + text) and a `knn` sub-query. RRF uses
 * the score-ranker-processor (neural-search 2.19 has it: rank_constant, no weights); linear fusion the
 * normalization-processor (min_max | l2, arithmetic_mean | harmonic_mean | geometric_mean with weights).
 */
import { createHash } from 'node:crypto';
import type { FusionSpec } from '../fusion/fuse.js';
import type { HybridSearch } from './backend.js';
import { CONTENTS_FIELD, VECTOR_FIELD } from './opensearch-index.js';

export const NEURAL_SEARCH_PLUGIN = 'opensearch-neural-search';

const NORMALIZATION = { 'min-max': 'min_max', l2: 'l2' } as const;
const COMBINATION = { arithmetic: 'arithmetic_mean', harmonic: 'harmonic_mean', geometric: 'geometric_mean' } as const;

/** Body of PUT _search/pipeline/<name>. */
export function hybridPipelineBody(fusion: FusionSpec): Record<string, unknown> {
  const processor =
    fusion.method === 'rrf'
      ? { 'score-ranker-processor': { combination: { technique: 'rrf', parameters: { rank_constant: fusion.rankConstant } } } }
      : {
          'normalization-processor': {
            normalization: { technique: NORMALIZATION[fusion.normalization] },
            combination: { technique: COMBINATION[fusion.combination], parameters: { weights: fusion.weights } },
          },
        };
  return { description: 'beir-bench hybrid fusion', phase_results_processors: [processor] };
}

/** `<prefix>-hybrid-<hash of the body>`: one pipeline per fusion, shared by every index of the prefix. */
export function hybridPipelineName(fusion: FusionSpec, prefix = 'beir-bench'): string {
  const hash = createHash('sha256').update(JSON.stringify(hybridPipelineBody(fusion))).digest('hex').slice(0, 10);
  return `${prefix}-hybrid-${hash}`;
}

/** One query's search body: the sub-queries in `order` (the weights' order), each contributing `depth` hits. */
export function hybridQueryBody(h: HybridSearch, text: string, vector: number[], k: number, efSearch: number, pipeline: string): Record<string, unknown> {
  const sub = {
    lexical: { match: { [CONTENTS_FIELD]: text } },
    dense: { knn: { [VECTOR_FIELD]: { vector, k: h.depth, method_parameters: { ef_search: Math.max(efSearch, h.depth) } } } },
  };
  return {
    size: k,
    _source: false,
    query: { hybrid: { pagination_depth: h.depth, queries: h.order.map((o) => sub[o]) } },
    // Accepted in _msearch bodies since OpenSearch 2.18.
    search_pipeline: pipeline,
  };
}

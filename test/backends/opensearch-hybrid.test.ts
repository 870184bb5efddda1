import { describe, expect, it } from 'vitest';
import { hybridPipelineBody, hybridPipelineName, hybridQueryBody } from '../../src/backends/opensearch-hybrid.js';

describe('OpenSearch hybrid requests', () => {
  it('RRF goes to the score-ranker-processor with its rank constant; linear to the normalization-processor with weights', () => {
    expect(hybridPipelineBody({ method: 'rrf', rankConstant: 60 }).phase_results_processors).toEqual([
      { 'score-ranker-processor': { combination: { technique: 'rrf', parameters: { rank_constant: 60 } } } },
    ]);
    expect(hybridPipelineBody({ method: 'linear', normalization: 'l2', combination: 'geometric', weights: [0.3, 0.7] }).phase_results_processors).toEqual([
      { 'normalization-processor': { normalization: { technique: 'l2' }, combination: { technique: 'geometric_mean', parameters: { weights: [0.3, 0.7] } } } },
    ]);
  });

  it('one pipeline name per fusion and prefix', () => {
    const a = hybridPipelineName({ method: 'rrf', rankConstant: 60 }, 'p');
    expect(a).toMatch(/^p-hybrid-[0-9a-f]{10}$/);
    expect(hybridPipelineName({ method: 'rrf', rankConstant: 60 }, 'p')).toBe(a);
    expect(hybridPipelineName({ method: 'rrf', rankConstant: 61 }, 'p')).not.toBe(a);
  });

  it('sub-queries follow the components\' order (the weights\' order), each contributing depth hits', () => {
    const body = hybridQueryBody({ fusion: { method: 'rrf', rankConstant: 60 }, depth: 100, order: ['dense', 'lexical'] }, 'what causes x', [0.5, 0.5], 11, 50, 'pipe');
    expect(body).toEqual({
      size: 11,
      _source: false,
      query: {
        hybrid: {
          pagination_depth: 100,
          queries: [{ knn: { vector: { vector: [0.5, 0.5], k: 100, method_parameters: { ef_search: 100 } } } }, { match: { contents: 'what causes x' } }],
        },
      },
      search_pipeline: 'pipe',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { cutRun, retrievalDepth, runDepth } from '../../src/bench/cut-run.js';
import { type RankedRun, rankDocs } from '../../src/ranking.js';

/** A run as engines return it: each query's hits in the shared ranking order. */
const run = (entries: Record<string, Record<string, number>>): RankedRun =>
  new Map(Object.entries(entries).map(([q, docs]) => [q, rankDocs(new Map(Object.entries(docs)))]));

describe('cutRun', () => {
  it('drops the self hit and still keeps k docs when the engine returned k + 1', () => {
    const out = cutRun(run({ q1: { q1: 0.99, a: 0.5, b: 0.4, c: 0.3 } }), 3, true);
    expect(out.get('q1')!.map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the self hit when ignore-identical-ids is off', () => {
    const out = cutRun(run({ q1: { q1: 0.99, a: 0.5, b: 0.4, c: 0.3 } }), 3, false);
    expect(out.get('q1')!.map((h) => h.id)).toEqual(['q1', 'a', 'b']);
  });

  it('cuts in ranking order with ties by doc id descending', () => {
    const out = cutRun(run({ q: { a: 0.5, c: 0.5, b: 0.5, z: 0.1 } }), 2, true);
    expect(out.get('q')!.map((h) => h.id)).toEqual(['c', 'b']);
  });

  it('keeps queries with no hits as empty result lists (BEIR scores them 0)', () => {
    expect(cutRun(run({ q: {} }), 10, true).get('q')!.length).toBe(0);
  });

  it('keeps as many hits as the deepest cutoff: Recall@100 is scored from 100 hits whatever k is', () => {
    expect(runDepth({ k: 10, metrics: ['ndcg_cut.10', 'map_cut.10', 'recall.10'] })).toBe(10);
    expect(runDepth({ k: 10, metrics: ['ndcg_cut.10', 'map_cut.10', 'recall.10', 'recall.100'] })).toBe(100);
    expect(runDepth({ k: 10, metrics: ['ndcg_cut.10'], depth: 1000 })).toBe(1000);
    // Engines are asked for one more when the self hit is dropped, so the run still holds the depth.
    expect(retrievalDepth(100, true)).toBe(101);
    expect(retrievalDepth(100, false)).toBe(100);
    const docs = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`d${String(i).padStart(3, '0')}`, 1 - i / 1000]));
    const out = cutRun(run({ d000: docs }), 100, true);
    expect(out.get('d000')!.length).toBe(100);
    expect(out.get('d000')![0].id).toBe('d001');
  });
});

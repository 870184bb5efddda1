import { describe, expect, it } from 'vitest';
import { cutRun } from '../../src/bench/cut-run.js';
import type { Run } from '../../src/types.js';

const run = (entries: Record<string, Record<string, number>>): Run =>
  new Map(Object.entries(entries).map(([q, docs]) => [q, new Map(Object.entries(docs))]));

describe('cutRun', () => {
  it('drops the self hit and still keeps k docs when the engine returned k + 1', () => {
    const out = cutRun(run({ q1: { q1: 0.99, a: 0.5, b: 0.4, c: 0.3 } }), 3, true);
    expect([...out.get('q1')!.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('keeps the self hit when ignore-identical-ids is off', () => {
    const out = cutRun(run({ q1: { q1: 0.99, a: 0.5, b: 0.4, c: 0.3 } }), 3, false);
    expect([...out.get('q1')!.keys()]).toEqual(['q1', 'a', 'b']);
  });

  it('cuts in ranking order with ties by doc id descending', () => {
    const out = cutRun(run({ q: { a: 0.5, c: 0.5, b: 0.5, z: 0.1 } }), 2, true);
    expect([...out.get('q')!.keys()]).toEqual(['c', 'b']);
  });

  it('keeps queries with no hits as empty result lists (BEIR scores them 0)', () => {
    expect(cutRun(run({ q: {} }), 10, true).get('q')!.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { bestWeight, sweepPoints, tuneSplitOf, type SweepableSystem } from '../../src/bench/fusion-sweep.js';
import type { RankedRun } from '../../src/ranking.js';
import type { Qrels } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { itWithShared, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { join } from 'node:path';

const system: SweepableSystem = {
  kind: 'hybrid',
  id: 'h',
  label: 'H',
  components: [
    { kind: 'lexical', id: 'bm25', label: 'BM25', engine: 'bm25' },
    { kind: 'lexical', id: 'other', label: 'Other', engine: 'bm25' },
  ],
  depths: [100, 100],
  fusion: { method: 'linear', normalization: 'min-max', combination: 'arithmetic', weights: [0.5, 0.5] },
  engine: 'fusion',
};

// Component 1 ranks the relevant doc r last of three, component 2 first: more weight on component 2 helps.
const runs: RankedRun[] = [
  new Map([['q', [{ id: 'x', score: 3 }, { id: 'y', score: 2 }, { id: 'r', score: 1 }]]]),
  new Map([['q', [{ id: 'r', score: 0.9 }, { id: 'x', score: 0.5 }, { id: 'y', score: 0.1 }]]]),
];
const qrels: Qrels = new Map([['q', new Map([['r', 1]])]]);
const ctx = { weights: [0.1, 0.5, 0.9], k: 1, ignoreIdenticalIds: false, eval: { metrics: ['ndcg_cut.1'], ignoreIdenticalIds: false, averageOverAllQrels: false } };

describe('--fusion-weights sweep', () => {
  it('re-fuses the component runs at each weight of the first component and scores them', () => {
    const points = sweepPoints(system, runs, ['q'], qrels, ctx);
    // min-max: component 1 gives x 1, y 0.5, r 0.001; component 2 gives r 1, x 0.5, y 0.001.
    // w 0.1: r 0.0001 + 0.9 = 0.9001 > x 0.1 + 0.45 = 0.55; w 0.5: x 0.75 > r 0.5005; w 0.9: x 0.95 > r 0.1009.
    expect(points.map((p) => [p.weight, p.mean['ndcg_cut.1']])).toEqual([
      [0.1, 1],
      [0.5, 0],
      [0.9, 0],
    ]);
    expect(bestWeight(points, 'ndcg_cut.1')).toBe(0.1);
  });
});

describe('--tune-split candidates', () => {
  const at = (name: string) => ({ name, folder: join(SHARED_BEIR, name), split: 'test' });
  itWithShared('takes the first split a dataset has qrels for: dev,train is dev for NFCorpus, train for SciFact', () => {
    expect(tuneSplitOf(at('nfcorpus'), ['dev', 'train'])).toBe('dev');
    expect(tuneSplitOf(at('scifact'), ['dev', 'train'])).toBe('train');
  });
  itWithShared('a dataset with test qrels only cannot be tuned honestly: a one-line error listing its splits', () => {
    expect(() => tuneSplitOf(at('arguana'), ['dev', 'train'])).toThrow(/--tune-split dev,train: arguana has no qrels for any of them besides the measured split test \(qrels there: test\)/);
  });
});

describe('bench --fusion-weights / --tune-split errors', () => {
  const fixture = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
  const bench = (...args: string[]) => runCli(['bench', '--dataset', 'scifact', '--data-dir', fixture, '--quiet', ...args]);
  it.each([
    [['--arms', 'bm25,hybrid(bm25+bm25)', '--fusion-weights', '0.5'], /--fusion-weights re-fuses linear hybrids of two components/],
    [['--arms', 'bm25,hybrid(bm25+asymmetric,linear)', '--fusion-weights', '0.5,1.5'], /--fusion-weights: fusion weight 1.5 is outside \[0, 1\]/],
    [['--arms', 'bm25,hybrid(bm25+asymmetric,linear)', '--fusion-weights', '0.5,x'], /--fusion-weights takes numbers/],
    [['--arms', 'bm25,hybrid(bm25+asymmetric,linear)', '--tune-split', 'train'], /--tune-split picks a weight of --fusion-weights/],
    [['--arms', 'bm25,hybrid(bm25+asymmetric,linear)', '--fusion-weights', '0.5', '--tune-split', 'test'], /--tune-split test names test, the split being measured/],
    [['--arms', 'bm25,hybrid(bm25+nonsense)'], /unknown component "nonsense"/],
  ])('%j: one line, exit 2', async (args, message) => {
    const r = await bench(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});

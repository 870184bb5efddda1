import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/regress/matrix.js';

const parse = (text: string) => parseMatrix(text, '/work/regressions/m.yaml');

const VALID = `# comment kept
metrics: [NDCG@10, recall.10]
tolerance: 0.002
margin: 0.02
systems:
  - id: e5
    model: intfloat/e5-small-v2
    prefix: asymmetric
  - engine: bm25
datasets:
  - dataset: SciFact
    tolerance: { NDCG@10: 0.003 }
    margin: 0.015
    expected:
      bm25:
        metrics: { NDCG@10: 0.6651, Recall@10: 0.79 }
        tolerance: { Recall@10: 0.005 }
        margin: { NDCG@10: 0.005 }
        baselineRun: m/scifact.bm25.trec
      e5:
        metrics: { ndcg_cut.10: 0.6875, Recall@10: 0.8 }
        inputs:
          encoder: { model: intfloat/e5-small-v2, weightsSha256: abc, normalize: true, maxLength: 512 }
          strings: { queries: q1, passages: p1 }
  - dataset: nfcorpus
    maxQueries: 20
    maxDocs: 200
    tags: [ci]
    systems: [e5]
    inputs:
      content: { corpus.jsonl: c1 }
      files: { corpus.jsonl: f1 }
      stats: { docs: 200, passageWordsAvg: 12.5 }
    expected:
      e5:
        metrics: { NDCG@10: 0.7, Recall@10: 0.2 }
`;

describe('regression matrix', () => {
  it('reads systems, metrics, tolerances and margins (most specific wins), slices, tags, baseline runs and recorded inputs', () => {
    const m = parse(VALID);
    expect(m.name).toBe('m');
    expect(m.metrics).toEqual(['ndcg_cut.10', 'recall.10']);
    expect(m.systems.map((s) => s.id)).toEqual(['e5', 'bm25']);
    const [scifact, nfcorpus] = m.datasets;
    expect(scifact).toMatchObject({ name: 'scifact', dataset: 'scifact', split: 'test', tags: [] });
    expect(scifact.systems.map((s) => s.id)).toEqual(['e5', 'bm25']);
    const bm25 = scifact.expected.get('bm25')!;
    expect(bm25.tolerance).toEqual({ 'ndcg_cut.10': 0.003, 'recall.10': 0.005 });
    expect(bm25.margin).toEqual({ 'ndcg_cut.10': 0.005, 'recall.10': 0.015 });
    expect(bm25.metricWhere.get('recall.10')).toBe('/work/regressions/m.yaml:16: datasets[0].expected.bm25.metrics.Recall@10');
    expect(bm25.baselineRun).toMatchObject({ path: '/work/regressions/m/scifact.bm25.trec', ref: 'm/scifact.bm25.trec' });
    expect(bm25.baselineRun!.where).toMatch(/^\/work\/regressions\/m\.yaml:19: datasets\[0\]\.expected\.bm25\.baselineRun$/);
    const e5 = scifact.expected.get('e5')!;
    expect([...e5.metrics]).toEqual([['ndcg_cut.10', 0.6875], ['recall.10', 0.8]]);
    expect(e5.keys.get('ndcg_cut.10')).toBe('ndcg_cut.10');
    expect(e5.tolerance).toEqual({ 'ndcg_cut.10': 0.003, 'recall.10': 0.002 });
    expect(e5.margin).toEqual({ 'ndcg_cut.10': 0.015, 'recall.10': 0.015 });
    expect(e5.inputs).toEqual({ encoder: { model: 'intfloat/e5-small-v2', weightsSha256: 'abc', normalize: true, maxLength: 512 }, strings: { queries: 'q1', passages: 'p1' } });
    expect(nfcorpus).toMatchObject({
      name: 'nfcorpus.q20.d200',
      maxQueries: 20,
      maxDocs: 200,
      tags: ['ci'],
      inputs: { content: { 'corpus.jsonl': 'c1' }, files: { 'corpus.jsonl': 'f1' }, stats: { docs: 200, passageWordsAvg: 12.5 } },
    });
    expect(nfcorpus.systems.map((s) => s.id)).toEqual(['e5']);
    expect(nfcorpus.expected.get('e5')).toMatchObject({ tolerance: { 'ndcg_cut.10': 0.002, 'recall.10': 0.002 }, margin: { 'ndcg_cut.10': 0.02, 'recall.10': 0.02 } });
  });

  it('a folder entry: its path relative to the matrix file, named after the folder (or NAME=PATH)', () => {
    const m = parse('systems:\n  - engine: bm25\ndatasets:\n  - dataset: data/mini\n    maxQueries: 5\n  - dataset: other=../elsewhere/x\n');
    expect(m.datasets.map((d) => [d.name, d.dataset, d.source, d.baseDir])).toEqual([
      ['mini.q5', 'mini', 'data/mini', '/work/regressions'],
      ['other', 'other', 'other=../elsewhere/x', '/work/regressions'],
    ]);
  });

  it('defaults: bench metrics at k = 10, tolerance 0.0001 (the stored rounding), margin 0.01', () => {
    const m = parse('systems:\n  - engine: bm25\ndatasets:\n  - dataset: scifact\n    split: dev\n    expected:\n      bm25:\n        metrics: { NDCG@10: 0.5 }\n');
    expect(m.metrics).toEqual(['ndcg_cut.10', 'map_cut.10', 'recall.10']);
    expect(m.datasets[0]).toMatchObject({ name: 'scifact.dev', split: 'dev' });
    expect(m.datasets[0].expected.get('bm25')).toMatchObject({
      tolerance: { 'ndcg_cut.10': 0.0001, 'map_cut.10': 0.0001, 'recall.10': 0.0001 },
      margin: { 'ndcg_cut.10': 0.01, 'map_cut.10': 0.01, 'recall.10': 0.01 },
    });
  });

  const base = 'systems:\n  - engine: bm25\ndatasets:\n';
  it.each([
    ['missing datasets', 'systems:\n  - engine: bm25\n', /^\/work\/regressions\/m\.yaml:1: \(top level\): a "datasets" list is required/],
    ['missing dataset field', `${base}  - maxQueries: 5\n`, /^\/work\/regressions\/m\.yaml:4: datasets\[0\]: "dataset" is required/],
    ['unknown dataset', `${base}  - dataset: scifakt\n`, /^\/work\/regressions\/m\.yaml:4: datasets\[0\]\.dataset: unknown dataset "scifakt"; valid names: /],
    ['unknown metric', `metrics: [NDCG@10, BLEU@4]\n${base}  - dataset: scifact\n`, /^\/work\/regressions\/m\.yaml:1: metrics: unknown metric "BLEU@4"/],
    [
      'expected metric not in metrics',
      `${base}  - dataset: scifact\n    expected:\n      bm25:\n        metrics:\n          P@10: 0.5\n`,
      /^\/work\/regressions\/m\.yaml:8: datasets\[0\]\.expected\.bm25\.metrics\.P@10: P@10 is not among the matrix's metrics \(NDCG@10, MAP@10, Recall@10\)/,
    ],
    ['negative tolerance', `tolerance: -0.01\n${base}  - dataset: scifact\n`, /^\/work\/regressions\/m\.yaml:1: tolerance: expected a tolerance: an absolute difference from 0\.0001 .* got -0\.01/],
    ['tolerance as text', `${base}  - dataset: scifact\n    tolerance: { NDCG@10: lots }\n`, /^\/work\/regressions\/m\.yaml:5: datasets\[0\]\.tolerance\.NDCG@10: expected a tolerance/],
    ['tolerance of an unknown metric', `${base}  - dataset: scifact\n    tolerance: { NDGC@10: 0.01 }\n`, /:5: datasets\[0\]\.tolerance\.NDGC@10: unknown metric "NDGC@10"/],
    ['metric value above 1', `${base}  - dataset: scifact\n    expected:\n      bm25:\n        metrics: { NDCG@10: 66.5 }\n`, /:7: datasets\[0\]\.expected\.bm25\.metrics\.NDCG@10: expected a metric value between 0 and 1, got 66\.5/],
    ['expected without metrics', `${base}  - dataset: scifact\n    expected:\n      bm25:\n        baselineRun: x.trec\n`, /:7: datasets\[0\]\.expected\.bm25: "metrics" is required/],
    ['unknown system in expected', `${base}  - dataset: scifact\n    expected:\n      e5:\n        metrics: {}\n`, /:6: datasets\[0\]\.expected\.e5: "e5" is not a system run on this dataset entry \(bm25\)/],
    ['unknown system in systems', `${base}  - dataset: scifact\n    systems: [bm25, e5]\n`, /:5: datasets\[0\]\.systems\[1\]: no system has the id "e5"; the systems are bm25/],
    ['typo in a field', `${base}  - dataset: scifact\n    maxQuery: 5\n`, /:5: datasets\[0\]\.maxQuery: unknown field; expected one of name, dataset, split, maxQueries, maxDocs, tags/],
    ['bad slice', `${base}  - dataset: scifact\n    maxDocs: 0\n`, /:5: datasets\[0\]\.maxDocs: expected a positive integer, got 0/],
    ['repeated entry', `${base}  - dataset: scifact\n  - dataset: scifact\n`, /:5: datasets\[1\]: two dataset entries are named "scifact"; give one a "name"/],
    ['margin too wide', `margin: 0.6\n${base}  - dataset: scifact\n`, /:1: margin: expected an equivalence margin: an absolute difference in the metric's mean from 0\.0001 to 0\.5, got 0\.6/],
    ['margin of an unknown metric', `${base}  - dataset: scifact\n    margin: { NDGC@10: 0.01 }\n`, /:5: datasets\[0\]\.margin\.NDGC@10: unknown metric "NDGC@10"/],
    ['alpha (the old significance test)', `alpha: 0.05\n${base}  - dataset: scifact\n`, /:1: alpha: unknown field; expected one of description, metrics, tolerance, margin,/],
    ['inputs without content', `${base}  - dataset: scifact\n    inputs:\n      stats: { docs: 1 }\n`, /:6: datasets\[0\]\.inputs: recorded inputs need "content" and "stats"/],
    ['bad system (shared systems-file reader)', 'systems:\n  - model: intfloat/e5-small-v2\n    prefix: sideways\ndatasets: []\n', /:3: systems\[0\]\.prefix: expected one of symmetric, asymmetric/],
    ['unknown top-level field', `tolerence: 0.01\n${base}  - dataset: scifact\n`, /:1: tolerence: unknown field; expected one of description, metrics, tolerance, margin, models, systems, inputs, datasets/],
    ['a bare name outside the registry (a folder is a path)', `${base}  - dataset: mini\n`, /:4: datasets\[0\]\.dataset: unknown dataset "mini"; .* or a BEIR folder as a path \(\.\/mini\) or NAME=PATH/],
    ['one name for two folders', `${base}  - dataset: a/mini\n  - dataset: b/mini\n    name: other\n`, /:5: datasets\[1\]\.dataset: "b\/mini" and "a\/mini" \(.*\) are both named mini: name one of them, NAME=PATH/],
    ['digests recorded for a dataset no entry reads', `inputs:\n  datasets:\n    mini:\n      content: {corpus.jsonl: x}\n${base}  - dataset: scifact\n`, /:3: inputs\.datasets\.mini: unknown dataset "mini"/],
    ['not YAML', 'systems: [\n', /^\/work\/regressions\/m\.yaml:\d+: not valid YAML/],
  ])('%s: an error naming file, line and field', (_, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});

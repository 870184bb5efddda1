import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { holmAdjust } from '../../src/eval/compare.js';
import { combineResults, type ReportInput } from '../../src/report/combine.js';
import { buildReportTable, NOT_RUN, reportNotes } from '../../src/report/comparison-rows.js';
import type { LocalEncoderInfo } from '../../src/embed/encoder.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { fixtureResults, NO_PUBLISHED, type RunFixture } from './fixture.js';

const input = async (f: RunFixture): Promise<ReportInput> => ({ results: await fixtureResults(f), source: `${f.runId}/results.json` });
const storedHolm = (r: ResultsFile) => r.datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics.map((m) => m.pHolm)));

describe('combineResults: one run', () => {
  it('keeps the systems as columns and reproduces the run\'s own Holm p-values', async () => {
    const one = await input({ runId: 'r', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'scifact' }, { name: 'nfcorpus' }] });
    const model = combineResults([one], { published: NO_PUBLISHED });
    expect(model.columns.map((c) => [c.id, c.label])).toEqual([
      ['e5-small-v2.symmetric', 'Symmetric'],
      ['e5-small-v2.asymmetric', 'Asymmetric'],
      ['bm25', 'BM25'],
    ]);
    expect(model.datasets.map((d) => d.cells.length)).toEqual([3, 3]);
    expect(model.datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics.map((m) => m.pHolm)))).toEqual(storedHolm(one.results));
    // The stored comparisons are copies: re-adjusting never writes into the results file.
    expect(model.datasets[0].comparisons[0].metrics[0]).not.toBe(one.results.datasets[0].comparisons[0].metrics[0]);
  });

  it('gives each system a bootstrap interval of its mean that contains the mean, reproducibly', async () => {
    const one = await input({ runId: 'r', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const a = combineResults([one], { published: NO_PUBLISHED }).datasets[0].cells;
    const b = combineResults([one], { published: NO_PUBLISHED }).datasets[0].cells;
    for (const cell of a) {
      for (const [m, [lo, hi]] of Object.entries(cell.ci95!)) {
        expect(lo).toBeLessThan(cell.results.mean[m]);
        expect(hi).toBeGreaterThan(cell.results.mean[m]);
      }
    }
    expect(a.map((c) => c.ci95)).toEqual(b.map((c) => c.ci95));
  });
});

describe('combineResults: several runs', () => {
  it('puts a SciFact run and an NFCorpus run of the same systems into one table with one set of columns', async () => {
    const sf = await input({ runId: 'sf', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const nf = await input({ runId: 'nf', arms: 'symmetric,asymmetric', datasets: [{ name: 'nfcorpus' }] });
    const model = combineResults([sf, nf], { published: NO_PUBLISHED });
    expect(model.columns.map((c) => [c.id, c.label, c.runs])).toEqual([
      ['e5-small-v2.symmetric', 'Symmetric', [1, 2]],
      ['e5-small-v2.asymmetric', 'Asymmetric', [1, 2]],
    ]);
    const table = buildReportTable(model);
    expect(table.columns.map((c) => c.title)).toEqual(['Dataset', 'Bias', 'Metric', 'Symmetric', 'Asymmetric', 'Asymmetric vs Symmetric', '95% CI of Δ', 'p (Holm)']);
    expect(table.groups.map((g) => g.dataset)).toEqual(['SciFact', 'NFCorpus']);
    expect(table.groups.flatMap((g) => g.rows.flat()).some((c) => c.text === NOT_RUN)).toBe(false);
  });

  it('Holm-adjusts across every comparison of the combined report, from the runs\' raw p-values', async () => {
    const sf = await input({ runId: 'sf', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'scifact' }] });
    const nf = await input({ runId: 'nf', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'nfcorpus' }] });
    const model = combineResults([sf, nf], { published: NO_PUBLISHED });
    const raw = [sf, nf].flatMap((x) => x.results.datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics.map((m) => ({ ...m })))));
    holmAdjust(raw);
    const combined = model.datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics));
    expect(combined.map((m) => m.pValue)).toEqual(raw.map((m) => m.pValue));
    expect(combined.map((m) => m.pHolm)).toEqual(raw.map((m) => m.pHolm));
    // A bigger family: never smaller than each run's own adjustment.
    const own = [...storedHolm(sf.results), ...storedHolm(nf.results)];
    combined.forEach((m, i) => expect(m.pHolm!).toBeGreaterThanOrEqual(own[i]!));
  });

  it('separates an embedded and an OpenSearch run of the same systems, naming the engine in the labels', async () => {
    const emb = await input({ runId: 'emb', arms: 'symmetric,asymmetric,bm25', datasets: [{ name: 'scifact' }] });
    const os = await input({ runId: 'os', arms: 'symmetric,asymmetric,bm25', backend: 'opensearch', datasets: [{ name: 'scifact' }] });
    const model = combineResults([emb, os], { published: NO_PUBLISHED });
    expect(model.columns.map((c) => [c.id, c.label])).toEqual([
      ['r1.e5-small-v2.symmetric', 'Symmetric (exact)'],
      ['r1.e5-small-v2.asymmetric', 'Asymmetric (exact)'],
      ['bm25', 'BM25 (embedded)'],
      ['r2.e5-small-v2.symmetric', 'Symmetric (OpenSearch HNSW)'],
      ['r2.e5-small-v2.asymmetric', 'Asymmetric (OpenSearch HNSW)'],
      ['opensearch-bm25', 'BM25 (OpenSearch)'],
    ]);
    // Each run's comparisons, against its own first system.
    expect(model.datasets[0].comparisons.map((c) => `${c.system} vs ${c.baseline}`)).toEqual([
      'r1.e5-small-v2.asymmetric vs r1.e5-small-v2.symmetric',
      'bm25 vs r1.e5-small-v2.symmetric',
      'r2.e5-small-v2.asymmetric vs r2.e5-small-v2.symmetric',
      'opensearch-bm25 vs r2.e5-small-v2.symmetric',
    ]);
    expect(buildReportTable(model, []).columns.slice(9).map((c) => c.title)).toEqual([
      'Asymmetric (exact) vs Symmetric (exact)',
      'BM25 (embedded) vs Symmetric (exact)',
      'Asymmetric (OpenSearch HNSW) vs Symmetric (OpenSearch HNSW)',
      'BM25 (OpenSearch) vs Symmetric (OpenSearch HNSW)',
    ]);
  });

  it('names the model when runs of different models collide on a label, and the run when nothing else differs', async () => {
    const e5 = await input({ runId: 'e5', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const mini = await input({ runId: 'mini', arms: 'symmetric', model: 'sentence-transformers/all-MiniLM-L6-v2', datasets: [{ name: 'scifact' }] });
    expect(combineResults([e5, mini], { published: NO_PUBLISHED }).columns.map((c) => c.label)).toEqual(['Symmetric (e5-small-v2)', 'Asymmetric', 'Symmetric (all-MiniLM-L6-v2)']);
    const again = await input({ runId: 'e5-again', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
    const repeated = combineResults([e5, again], { published: NO_PUBLISHED });
    expect(repeated.columns.map((c) => [c.id, c.label])).toEqual([
      ['r1.e5-small-v2.symmetric', 'Symmetric (run 1)'],
      ['r1.e5-small-v2.asymmetric', 'Asymmetric (run 1)'],
      ['r2.e5-small-v2.symmetric', 'Symmetric (run 2)'],
      ['r2.e5-small-v2.asymmetric', 'Asymmetric (run 2)'],
    ]);
  });

  it('marks cells of systems that did not run on a dataset', async () => {
    const both = await input({ runId: 'both', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }, { name: 'nfcorpus' }] });
    const bm25 = await input({ runId: 'bm25', arms: 'bm25', datasets: [{ name: 'scifact' }] });
    const table = buildReportTable(combineResults([both, bm25], { published: NO_PUBLISHED }));
    const nf = table.groups.find((g) => g.dataset === 'NFCorpus')!;
    expect(nf.rows[0].map((c) => c.text)[3]).toBe(NOT_RUN);
    expect(table.legend).toContain(`${NOT_RUN} = not run on that dataset`);
  });

  it('shows only the metrics every run measured', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact' }], metrics: ['ndcg_cut.10', 'P.10', 'recall.10'] });
    const b = await input({ runId: 'b', arms: 'bm25', datasets: [{ name: 'scifact' }] });
    expect(combineResults([a, b], { published: NO_PUBLISHED }).metrics).toEqual(['ndcg_cut.10', 'recall.10']);
  });
});

describe('combineResults: inputs that differ', () => {
  it('refuses runs whose dataset files differ, naming both files, the dataset and the flag', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact' }] });
    const b = await input({ runId: 'b', arms: 'asymmetric', datasets: [{ name: 'scifact', corpusSha256: 'another-corpus' }] });
    const fail = () => combineResults([a, b], { published: NO_PUBLISHED });
    expect(fail).toThrow(UserError);
    expect(fail).toThrow(/^cannot combine a\/results\.json and b\/results\.json: their inputs differ \(SciFact corpus sha256 scifact-corp vs another-corp\); pass --allow-different-inputs/);
  });

  it('the same records in another layout are the same input: content digests decide when both runs have them', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact', corpusContent: 'records-1' }] });
    const sameRecords = await input({ runId: 'b', arms: 'asymmetric', datasets: [{ name: 'scifact', corpusSha256: 'another-order', corpusContent: 'records-1' }] });
    expect(combineResults([a, sameRecords]).inputDifferences).toEqual([]);
    const other = await input({ runId: 'c', arms: 'asymmetric', datasets: [{ name: 'scifact', corpusSha256: 'another-order', corpusContent: 'records-2' }] });
    expect(() => combineResults([a, other])).toThrow(/their inputs differ \(SciFact corpus content records-1 vs records-2\)/);
  });

  it('refuses other splits and other query counts (a --max-queries run)', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact' }] });
    const dev = await input({ runId: 'dev', arms: 'asymmetric', datasets: [{ name: 'scifact', split: 'dev' }] });
    const few = await input({ runId: 'few', arms: 'asymmetric', datasets: [{ name: 'scifact', queries: 30 }] });
    expect(() => combineResults([a, dev], { published: NO_PUBLISHED })).toThrow(/split test vs dev/);
    expect(() => combineResults([a, few], { published: NO_PUBLISHED })).toThrow(/60 vs 30 queries/);
  });

  it('combines them anyway when allowed, and says so in the notes', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact' }] });
    const b = await input({ runId: 'b', arms: 'asymmetric', datasets: [{ name: 'scifact', corpusSha256: 'another-corpus' }] });
    const model = combineResults([a, b], { allowDifferentInputs: true, published: NO_PUBLISHED });
    expect(model.inputDifferences).toEqual(['run 1 vs run 2: SciFact corpus sha256 scifact-corp vs another-corp']);
    expect(reportNotes(model).slice(-2)).toEqual([
      'Inputs differ between the combined runs (accepted with --allow-different-inputs):',
      '  run 1 vs run 2: SciFact corpus sha256 scifact-corp vs another-corp.',
    ]);
  });

  it('does not compare inputs of datasets the runs do not share', async () => {
    const a = await input({ runId: 'a', arms: 'symmetric', datasets: [{ name: 'scifact' }] });
    const b = await input({ runId: 'b', arms: 'symmetric', datasets: [{ name: 'nfcorpus', queries: 30 }] });
    expect(combineResults([a, b], { published: NO_PUBLISHED }).inputDifferences).toEqual([]);
  });
});

describe('reportNotes: encodings the equivalence gate has not cleared', () => {
  const encoder = (dtype: LocalEncoderInfo['dtype'], weightsSha256: string) => ({ model: 'intfloat/e5-small-v2', dtype, weightsSha256 }) as LocalEncoderInfo;
  it('names each such weights file once, across datasets and runs, and nothing for fp32', async () => {
    const one = await input({ runId: 'r', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }, { name: 'nfcorpus' }] });
    for (const d of one.results.datasets) {
      d.systems[0].encoder = encoder('fp32', 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0');
      d.systems[1].encoder = encoder('q8', '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded');
    }
    const notes = reportNotes(combineResults([one], { published: NO_PUBLISHED }));
    expect(notes.slice(-2)).toEqual([
      'Encodings the equivalence gate has not cleared (src/eval/gate-record.ts):',
      expect.stringMatching(/^ {2}intfloat\/e5-small-v2 --dtype q8 \(weights 7d9092cb25f2\) failed the equivalence gate against fp32 \(scifact .*; nfcorpus .*\): for smoke runs/),
    ]);
    for (const d of one.results.datasets) d.systems[1].encoder = encoder('fp32', 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0');
    expect(reportNotes(combineResults([one], { published: NO_PUBLISHED })).join('\n')).not.toContain('equivalence gate');
  });
});

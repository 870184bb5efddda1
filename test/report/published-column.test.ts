/**
 * The Published column and named comparisons on a real run: one bench run on a SciFact slice with a systems file
 * (e5-small-v2 symmetric, asymmetric, symmetric-query, all-MiniLM-L6-v2, BM25) whose comparisons name two pairs,
 * and a run of asymmetric e5-small-v2 truncated to 64 tokens (--max-length 64). The slice's scores are not the
 * published full-corpus ones: which cells are flagged follows from the measured distances, and a registry written
 * around the measured value checks the tolerance.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/eval/format.js';
import { parsePublishedScores } from '../../src/references/published-scores.js';
import { combineResults, type ReportModel } from '../../src/report/combine.js';
import { buildReportTable, reportNotes } from '../../src/report/comparison-rows.js';
import { cellText } from '../../src/report/render.js';
import { readResults } from '../../src/results/read-results.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = hasSharedBeir() ? warnIfNoModels('Published column on a real run') : null;
const ready = Boolean(modelsDir && existsSync(join(modelsDir, 'sentence-transformers', 'all-MiniLM-L6-v2', 'onnx', 'model.onnx')));

const SYSTEMS = `
systems:
  - { model: intfloat/e5-small-v2, prefix: symmetric }
  - { model: intfloat/e5-small-v2, prefix: asymmetric }
  - { model: intfloat/e5-small-v2, prefix: symmetric-query }
  - { model: sentence-transformers/all-MiniLM-L6-v2, prefix: symmetric }
  - { engine: bm25 }
comparisons:
  - e5-small-v2.asymmetric vs e5-small-v2.symmetric
  - e5-small-v2.asymmetric vs e5-small-v2.symmetric-query
`;

let work: string;
let results: ResultsFile;
let truncated: ResultsFile;
let model: ReportModel;

describe.skipIf(!ready)('Published column and named comparisons on a real SciFact slice', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-published-'));
    const file = join(work, 'systems.yaml');
    await writeFile(file, SYSTEMS);
    const bench = async (out: string, args: string[]) => {
      const r = await runCli([
        'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--embed-cache-dir', join(work, 'embeddings'),
        '--max-docs', '120', '--max-queries', '20', '--permutations', '500', '--out', join(work, out), '--quiet', ...args,
      ]);
      expect(r.code, r.stderr).toBe(0);
      return readResults(join(work, out, (await readdir(join(work, out)))[0], 'results.json'));
    };
    results = await bench('runs', ['--systems', file]);
    truncated = await bench('truncated', ['--arms', 'asymmetric', '--max-length', '64']);
    model = combineResults([{ results, source: 'slice' }]);
  }, 1_200_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('compares exactly the named pairs, each from the two systems\' own per-query scores', () => {
    const [d] = results.datasets;
    expect(results.config.comparisons).toEqual([
      { system: 'e5-small-v2.asymmetric', baseline: 'e5-small-v2.symmetric' },
      { system: 'e5-small-v2.asymmetric', baseline: 'e5-small-v2.symmetric-query' },
    ]);
    expect(d.comparisons.map((c) => `${c.system} vs ${c.baseline}`)).toEqual(['e5-small-v2.asymmetric vs e5-small-v2.symmetric', 'e5-small-v2.asymmetric vs e5-small-v2.symmetric-query']);
    const mean = (id: string) => d.systems.find((s) => s.system === id)!.mean['ndcg_cut.10'];
    for (const c of d.comparisons) expect(c.metrics[0].meanDiff).toBeCloseTo(mean(c.system) - mean(c.baseline), 12);
    const changes = buildReportTable(model).columns.filter((c) => c.group?.sub === 'Change').map((c) => c.group!.name);
    expect(changes).toEqual(['e5-small-v2 asymmetric vs e5-small-v2 symmetric', 'e5-small-v2 asymmetric vs e5-small-v2 symmetric-query']);
  });

  it('puts a Published column beside the systems that follow a published protocol, and only those', () => {
    const table = buildReportTable(model);
    const titles = table.columns.map((c) => c.title);
    expect(titles.slice(3, 11)).toEqual([
      'e5-small-v2 symmetric',
      'e5-small-v2 asymmetric',
      'Published, e5-small-v2 asymmetric',
      'e5-small-v2 symmetric-query',
      'all-MiniLM-L6-v2 symmetric',
      'Published, all-MiniLM-L6-v2 symmetric',
      'BM25',
      'e5-small-v2 asymmetric vs e5-small-v2 symmetric',
    ]);
    const [ndcg, map] = table.groups[0].rows;
    const asym = model.datasets[0].cells.find((c) => c.column === 'e5-small-v2.asymmetric')!;
    const diff = asym.results.mean['ndcg_cut.10'] - 0.68854;
    // Column 5 of the row (after Metric, symmetric, asymmetric): the published score and the measured minus it.
    const cell = ndcg[3];
    expect(cell.text).toBe(`0.6885 (${diff >= 0 ? '+' : ''}${formatFixed(diff, 4)})`);
    expect(Boolean(cell.drift)).toBe(Math.abs(diff) > 0.005 + 0.000005);
    expect(map[3].text).toBe('');
    expect(model.datasets[0].cells.find((c) => c.column === 'e5-small-v2.symmetric')!.published).toEqual([]);
  });

  it('flags the distance against the tolerance and the rounding of the published digits: within and beyond, on the measured value', () => {
    const measured = model.datasets[0].cells.find((c) => c.column === 'e5-small-v2.asymmetric')!.results.mean['ndcg_cut.10'];
    const registry = (value: string) =>
      parsePublishedScores(
        `tolerance:\n  NDCG@10: 0.005\nsources:\n  s: { title: a test source, url: https://example.org }\nmodels:\n` +
          `  - model: intfloat/e5-small-v2\n    protocol: { queryPrefix: "query: ", passagePrefix: "passage: ", pooling: mean, maxLength: 512, normalize: true }\n` +
          `    scores:\n      scifact: { NDCG@10: ${value}, source: s }\n`,
        'test.yaml',
      );
    const check = (value: string) => combineResults([{ results, source: 'slice' }], { published: registry(value) }).datasets[0].cells.find((c) => c.column === 'e5-small-v2.asymmetric')!.published[0];
    // Five decimals: allowed 0.005 + 0.000005.
    expect(check(formatFixed(measured - 0.004, 5))).toMatchObject({ within: true, allowed: 0.005005 });
    expect(check(formatFixed(measured - 0.0052, 5)).within).toBe(false);
    // Three decimals: allowed 0.0055, so 0.005 from the rounded value is always within, 0.007 never.
    const rounded = Number(formatFixed(measured, 3));
    expect(check(formatFixed(rounded - 0.005, 3))).toMatchObject({ within: true, allowed: 0.0055 });
    expect(check(formatFixed(rounded - 0.007, 3)).within).toBe(false);
  });

  it('flags a system whose declared settings drift from the protocol, whatever its score, and names the drift in the notes', () => {
    const m = combineResults([{ results: truncated, source: 'truncated' }]);
    expect(m.datasets[0].cells[0].published[0].protocolDifferences).toEqual(['max length 64, published 512']);
    const cell = buildReportTable(m).groups[0].rows[0][2];
    expect(cellText(cell)).toMatch(/^0\.6885 \([+-]\d\.\d{4}\) ‡$/);
    expect(reportNotes(m).join('\n')).toMatch(/‡ Asymmetric on SciFact: NDCG@10 .* its declared settings are not the published protocol \(max length 64, published 512\)/);
  });

  it('says a slice is not the published task, and only a full test set that misses is called a departing setup', () => {
    const notes = (r: ResultsFile) => reportNotes(combineResults([{ results: r, source: 'run' }])).join('\n');
    expect(notes(results)).toMatch(/‡ all-MiniLM-L6-v2 symmetric( on SciFact)?: NDCG@10 .* beyond the tolerance ±0\.0050: this run is a slice \(20 queries, 120 passages\), not the full test set/);
    // The same numbers as if no --max-queries / --max-docs had cut the run.
    const full: ResultsFile = { ...results, config: { ...results.config, maxQueries: undefined, maxDocs: undefined } };
    expect(notes(full)).toMatch(/‡ all-MiniLM-L6-v2 symmetric( on SciFact)?: NDCG@10 .* beyond the tolerance ±0\.0050: this setup departs from the published one/);
    expect(notes(full)).not.toMatch(/this run is a slice/);
  });

  it('writes the check into every format: markdown with ‡ and the legend, JSON with the numbers', async () => {
    const md = await readFile(join(work, 'runs', (await readdir(join(work, 'runs')))[0], 'report.md'), 'utf8');
    expect(md).toMatch(/Published = the score published for the protocol the system follows/);
    expect(md).toMatch(/all-MiniLM-L6-v2 symmetric( on SciFact)?: NDCG@10 [0-9.]+ vs published 0\.6451 \(MTEB results repository/);
    const r = await runCli(['report', join(work, 'runs', (await readdir(join(work, 'runs')))[0]), '--format', 'json']);
    const json = JSON.parse(r.stdout);
    const asym = json.datasets[0].systems.find((s: { column: string }) => s.column === 'e5-small-v2.asymmetric');
    expect(asym.published[0]).toMatchObject({ metric: 'ndcg_cut.10', published: 0.68854, source: { id: 'e5-small-v2-card' } });
  });
});

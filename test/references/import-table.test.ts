/**
 * `beir-bench import` on the seed article's transcription (references/opensearch-asymmetric-2026-01.yaml), with the
 * real judgments and queries of ../shared/beir: the results.json it writes, what report makes of it, and the
 * errors of a bad transcription.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseImportedTable } from '../../src/references/import-table.js';
import { checkResults } from '../../src/results/read-results.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { describeWithShared, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';

const TABLE = join(REPO_ROOT, 'references', 'opensearch-asymmetric-2026-01.yaml');
let work: string;
let text: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'beir-bench-import-'));
  text = await readFile(TABLE, 'utf8');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describeWithShared('the seed article imported', () => {
  let results: ResultsFile;
  let stdout: string;

  beforeAll(async () => {
    const r = await runCli(['import', TABLE, '--data-dir', SHARED_BEIR, '--out', work]);
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
    results = await checkResults(JSON.parse(await readFile(join(work, 'imported-opensearch-asymmetric-2026-01', 'results.json'), 'utf8')), 'import');
  }, 120_000);

  it('is a valid results.json holding the printed means, the pair compared, and where they come from', () => {
    expect(results.imported).toMatchObject({ url: 'https://opensearch.org/blog/asymmetric-model-support/', decimals: 3, transcription: TABLE });
    expect(results.imported!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(results.config.comparisons).toEqual([{ system: 'article.asymmetric', baseline: 'article.symmetric' }]);
    expect(results.datasets.map((d) => [d.name, d.docs, d.queries])).toEqual([
      ['trec-covid', 171332, 50],
      ['scifact', 5183, 300],
      ['nfcorpus', 3633, 323],
      ['arguana', 8674, 1406],
    ]);
    const scifact = results.datasets[1];
    expect(scifact.systems.map((s) => s.mean)).toEqual([
      { 'ndcg_cut.10': 0.458, 'map_cut.10': 0.451, 'recall.10': 0.65 },
      { 'ndcg_cut.10': 0.629, 'map_cut.10': 0.625, 'recall.10': 0.777 },
    ]);
    expect(scifact.systems.every((s) => Object.keys(s.perQuery).length === 0 && s.runFile === '')).toBe(true);
    expect(scifact.comparisons).toEqual([]);
    // Statistics measured from the local files; TREC-COVID's corpus is absent, its passage lengths come from the registry.
    expect(scifact.stats).toMatchObject({ bias: 'GOOD', passagesSource: 'corpus' });
    expect(results.datasets[0].stats).toMatchObject({ bias: 'EXCELLENT', passagesSource: 'registry' });
  });

  it('records that its ArguAna means, and only those, break a sanity invariant even with three-decimal rounding', () => {
    const broken = results.datasets.flatMap((d) => d.invariantViolations.map((v) => `${d.name} ${v.system}`));
    expect(broken).toEqual(['arguana article.symmetric', 'arguana article.asymmetric']);
    expect(stdout).toMatch(/2 sanity invariant\(s\) broken by the printed means:\n {2}ArguAna article\.symmetric: one relevant doc per query/);
  });

  it('reports the article\'s columns with its changes, no statistics, the published score of its model flagged on every dataset, and the impossible ArguAna row', async () => {
    const r = await runCli(['report', join(work, 'imported-opensearch-asymmetric-2026-01')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && /NDCG@10/.test(l));
    expect(rows).toEqual([
      '| TREC-COVID | EXCELLENT | NDCG@10 | 0.342 | 0.771 | 0.7229 (+0.0481) ‡ | +125.4% | n/a | n/a |',
      '| SciFact | GOOD | NDCG@10 | 0.458 | 0.629 | 0.6758 (-0.0468) ‡ | +37.3% | n/a | n/a |',
      '| NFCorpus | GOOD | NDCG@10 | 0.278 | 0.322 | 0.3110 (+0.0110) ‡ | +15.8% | n/a | n/a |',
      '| ArguAna | POOR | NDCG@10 | 0.224 | 0.220 | 0.3909 (-0.1709) ‡ | -1.8% | n/a | n/a |',
    ]);
    expect(r.stdout).toMatch(/Article asymmetric on NFCorpus: NDCG@10 0\.3220 vs published 0\.3110 .*Δ \+0\.0110 is beyond the tolerance ±0\.0055/);
    expect(r.stdout).toMatch(/!! Article symmetric: the printed means break a sanity invariant, so they cannot all be what was measured/);
    expect(r.stdout).toMatch(/not stated by the source: whether self hits/);
  });
});

describeWithShared('a bad transcription', () => {
  async function importText(t: string): Promise<{ code: number; stderr: string }> {
    const file = join(work, 'bad.yaml');
    await writeFile(file, t);
    return runCli(['import', file, '--data-dir', SHARED_BEIR, '--out', join(work, 'bad')]);
  }

  it('a query count the local judgments do not have: names the line, both counts and the folder', async () => {
    const r = await importText(text.replace('    queries: 300', '    queries: 299'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: .*bad\.yaml:\d+: datasets\.scifact: the table ran 299 test queries, the judgments in .*scifact have 300/);
  }, 60_000);

  it.each([
    ['no decimals', (t: string) => t.replace('decimals: 3\n', ''), /\(top level\): "decimals" is required/],
    ['means of an unknown system', (t: string) => t.replace('      article.symmetric:  { NDCG@10: 0.458', '      article.symetric:  { NDCG@10: 0.458'), /datasets\.scifact\.means\.article\.symetric: unknown field; expected one of article\.symmetric, article\.asymmetric/],
    ['a metric missing for one system', (t: string) => t.replace('{ NDCG@10: 0.629, MAP@10: 0.625, Recall@10: 0.777 }', '{ NDCG@10: 0.629, MAP@10: 0.625 }'), /datasets\.scifact\.means\.article\.asymmetric: every system and dataset must give the same metrics/],
    ['a percentage for a mean', (t: string) => t.replace('NDCG@10: 0.458', 'NDCG@10: 45.8'), /datasets\.scifact\.means\.article\.symmetric\.NDCG@10: expected a mean between 0 and 1, got 45\.8/],
    ['an unknown system in a comparison', (t: string) => t.replace('article.asymmetric vs article.symmetric', 'article.asym vs article.symmetric'), /comparisons\[0\]: unknown system "article\.asym"/],
  ])('%s: names the line and the field', (_, edit, error) => {
    expect(() => parseImportedTable(edit(text), 'bad.yaml')).toThrow(error);
  });
});

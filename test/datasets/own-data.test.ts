/**
 * Your own data, end to end (README "Your own data"): a BEIR folder built from real SciFact records under a new name
 * ("mini", gzip-compressed JSONL, its own queries file) runs through bench (embedded and OpenSearch), stats, report
 * and a regression matrix, and scores exactly what the same records score as the registry dataset's slice.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricName } from '../../src/eval/metrics.js';
import { readMatrix } from '../../src/regress/matrix.js';
import { checkResults } from '../../src/results/read-results.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { scifactSliceFolder } from '../helpers/own-folder.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';
import { deleteIndexes, NODE_URL, rawClient, testPrefix, warnIfNoNode } from '../opensearch/helpers.js';

const modelsDir = warnIfNoModels('your own data end to end (bench with e5-small-v2)');
warnIfNoNode('your own data on OpenSearch');
const SLICE = { maxQueries: 8, maxDocs: 100 };

describe.skipIf(!modelsDir || !hasSharedBeir())('a BEIR folder of your own, from real SciFact records', () => {
  let work: string;
  let mini: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-own-data-'));
    mini = join(work, 'data', 'mini');
    await scifactSliceFolder(mini, SLICE, { gzip: true });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const bench = async (dataset: string[], out: string, ...extra: string[]): Promise<{ results: ResultsFile; dir: string; stderr: string }> => {
    const r = await runCli([
      'bench', ...dataset, '--arms', 'bm25,asymmetric', '--models-dir', modelsDir!,
      '--permutations', '200', '--format', 'json', '--quiet', '--out', join(work, out), ...extra,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const results = await checkResults(JSON.parse(r.stdout), 'stdout');
    return { results, dir: join(work, out, results.runId), stderr: r.stderr };
  };
  const registrySlice = ['--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--max-queries', String(SLICE.maxQueries), '--max-docs', String(SLICE.maxDocs)];
  const scoresOf = (r: ResultsFile) => r.datasets[0].systems.map((s) => ({ system: s.system, mean: s.mean, perQuery: s.perQuery }));

  let registry: Awaited<ReturnType<typeof bench>>;
  let own: Awaited<ReturnType<typeof bench>>;
  beforeAll(async () => {
    registry = await bench(registrySlice, 'registry');
    own = await bench(['--dataset', `mini=${mini}`], 'own');
  }, 1_200_000);

  it('bench (embedded): the same scores as the registry slice, named as given, with no registry facts', () => {
    expect(scoresOf(own.results)).toEqual(scoresOf(registry.results));
    expect(own.results.datasets[0].queries).toBe(SLICE.maxQueries);
    const d = own.results.datasets[0];
    expect(d).toMatchObject({ name: 'mini', displayName: 'mini', source: { given: `mini=${mini}`, origin: 'folder', registry: false } });
    expect(d.officialZipMd5).toBeUndefined();
    expect(d.source?.mismatch).toBeUndefined();
    expect(d.files['corpus.jsonl'].path).toBe(join(mini, 'corpus.jsonl.gz'));
    expect(d.files['corpus.jsonl'].contentDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(own.results.config.datasets).toEqual([`mini=${mini}`]);
    expect(own.results.runId).toMatch(/-mini-e5-small-v2$/);
    // The label and its inputs come from the data, compared with nothing: the same figures as the slice's.
    const [a, b] = [d.stats, registry.results.datasets[0].stats];
    expect({ ...a, name: b.name, displayName: b.displayName, notes: b.notes }).toEqual(b);
    expect(a.notes).toEqual([]);
    // The registry slice, from --data-dir, was identified as SciFact by its counts and content digests.
    expect(registry.results.datasets[0]).toMatchObject({ displayName: 'SciFact', source: { given: 'scifact', origin: 'folder', registry: true } });
  });

  it('stats: the folder\'s row, from its own data (the same figures bench recorded)', async () => {
    const r = await runCli(['stats', '--dataset', `mini=${mini}`, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).datasets).toEqual([own.results.datasets[0].stats]);
    const table = await runCli(['stats', '--dataset', mini]);
    expect(table.stdout).toMatch(/│ mini +│ +12\.\d\d │/);
  });

  it('report: the folder is named, no published score is set beside it (the registry slice has one)', async () => {
    const ownReport = await runCli(['report', own.dir, '--format', 'md']);
    expect(ownReport.code, ownReport.stderr).toBe(0);
    expect(ownReport.stdout).toContain('mini is a BEIR folder of your own (--dataset mini=');
    expect(ownReport.stdout).not.toMatch(/Published|vs published/);
    const registryReport = await runCli(['report', registry.dir, '--format', 'md']);
    expect(registryReport.stdout).toMatch(/Published/);
  });

  it('regress: a matrix entry names the folder relative to the matrix file; its digests pin it', async () => {
    const matrix = join(work, 'own.yaml');
    await writeFile(
      matrix,
      [
        'systems:',
        '  - engine: bm25',
        '  - id: e5-small-v2.asymmetric',
        '    model: intfloat/e5-small-v2',
        '    prefix: asymmetric',
        '    engine: exact',
        'datasets:',
        '  - dataset: data/mini',
        '',
      ].join('\n'),
    );
    const regress = (...args: string[]) =>
      runCli(['regress', '--matrix', matrix, '--models-dir', modelsDir!, '--out', join(work, 'regress'), '--quiet', '--permutations', '200', ...args]);
    const update = await regress('--update');
    expect(update.code, update.stderr + update.stdout).toBe(0);
    const text = await readFile(matrix, 'utf8');
    const digest = own.results.datasets[0].files['corpus.jsonl'].contentDigest!;
    expect(text).toContain(`corpus.jsonl: ${digest}`);
    // The expected values are the registry slice's scores, to the 4 decimals the matrix stores.
    const [entry] = (await readMatrix(matrix)).datasets;
    expect(entry).toMatchObject({ dataset: 'mini', source: 'data/mini', baseDir: work });
    for (const s of registry.results.datasets[0].systems) {
      const expected = entry.expected.get(s.system)!.metrics;
      for (const [metric, value] of Object.entries(s.mean)) expect(expected.get(metric as MetricName)).toBe(Number(value.toFixed(4)));
    }
    const check = await regress();
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/mini\/bm25/);

    // Another folder under the same path (one passage's text changed): CHANGED-INPUT, not a pass.
    const corpus = join(mini, 'corpus.jsonl.gz');
    const original = await readFile(corpus);
    try {
      const { gunzipSync, gzipSync } = await import('node:zlib');
      const lines = gunzipSync(original).toString('utf8').split('\n');
      lines[0] = JSON.stringify({ ...JSON.parse(lines[0]), text: 'changed' });
      await writeFile(corpus, gzipSync(lines.join('\n')));
      const changed = await regress();
      expect(changed.code).not.toBe(0);
      expect(changed.stdout).toMatch(/CHANGED-INPUT/);
      expect(changed.stdout).toMatch(/content\.corpus\.jsonl/);
    } finally {
      await writeFile(corpus, original);
    }
  }, 1_200_000);

  describe.skipIf(!NODE_URL)('on OpenSearch (OPENSEARCH_URL)', () => {
    const prefix = testPrefix();
    afterAll(async () => {
      const client = rawClient();
      await deleteIndexes(client, prefix);
      await client.close();
    });

    it('bench --backend opensearch: the folder scores what the registry slice scores on the node', async () => {
      const os = ['--backend', 'opensearch', '--opensearch-url', NODE_URL!, '--index-prefix', prefix];
      const registryOs = await bench(registrySlice, 'registry-os', ...os);
      const ownOs = await bench(['--dataset', `mini=${mini}`], 'own-os', ...os);
      expect(ownOs.results.datasets[0].systems.map((s) => s.engine.engine)).toEqual(['opensearch-bm25', 'opensearch-knn']);
      expect(scoresOf(ownOs.results)).toEqual(scoresOf(registryOs.results));
      // 100 passages: HNSW visits them all, so the node's dense run is the exact one too.
      expect(ownOs.results.datasets[0].systems[1].mean).toEqual(own.results.datasets[0].systems[1].mean);
      const indexes = (await rawClient().cat.indices({ index: `${prefix}-*`, format: 'json' })).body as { index: string }[];
      expect(indexes.map((i) => i.index)).toContainEqual(expect.stringMatching(new RegExp(`^${prefix}-mini-`)));
    }, 1_200_000);
  });

  it('writes nothing into the folder it reads', async () => {
    expect((await readdir(mini)).sort()).toEqual(['corpus.jsonl.gz', 'qrels', 'queries.jsonl.gz']);
  });
});

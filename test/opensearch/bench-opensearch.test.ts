/** `bench --backend opensearch` end to end: systems on OpenSearch engines, each HNSW system measured against its exact twin. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResults } from '../../src/results/read-results.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';
import { deleteIndexes, describeEachLine, rawClient, testPrefix } from './helpers.js';

const modelsDir = warnIfNoModels('bench --backend opensearch with e5-small-v2');

describeEachLine('bench --backend opensearch (real node)', ({ url }) => {
  const prefix = testPrefix();
  let client: Client;
  let out: string;
  beforeAll(async () => {
    client = rawClient(url);
    out = await mkdtemp(join(tmpdir(), 'beir-bench-os-bench-'));
  });
  afterAll(async () => {
    await deleteIndexes(client, prefix);
    await client?.close();
    await rm(out, { recursive: true, force: true });
  });

  const common = () => ['--opensearch-url', url, '--index-prefix', prefix, '--format', 'json', '--quiet', '--permutations', '200', '--out', out, '--embed-cache-dir', join(out, 'cache')];

  it('runs BM25 on the node: same ranking as the embedded engine on the tiny fixture', async () => {
    const fixture = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
    const os = await runCli(['bench', '--dataset', 'scifact', '--data-dir', fixture, '--arms', 'bm25', '--backend', 'opensearch', ...common()]);
    expect(os.code, os.stderr).toBe(0);
    const embedded = await runCli(['bench', '--dataset', 'scifact', '--data-dir', fixture, '--arms', 'bm25', ...common()]);
    const [a, b] = [JSON.parse(os.stdout), JSON.parse(embedded.stdout)];
    await checkResults(a, 'stdout');
    expect(a.systems).toEqual([{ kind: 'lexical', engine: 'opensearch-bm25', id: 'opensearch-bm25', label: 'BM25' }]);
    expect(a.datasets[0].systems[0].perQuery).toEqual(b.datasets[0].systems[0].perQuery);
  });

  it.skipIf(!modelsDir || !hasSharedBeir())('measures the HNSW system against its exact twin on the same vectors', async () => {
    const r = await runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-queries', '10', '--max-docs', '80',
      '--arms', 'asymmetric', '--backend', 'opensearch', ...common(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = await checkResults(JSON.parse(r.stdout), 'stdout');
    expect(json.systems.map((s) => [s.id, s.engine])).toEqual([['e5-small-v2.asymmetric', 'opensearch-knn']]);
    const result = json.datasets[0].systems[0];
    expect(result.approximation?.reference).toBe('e5-small-v2.asymmetric.exact');
    // 80 passages: HNSW with ef_search 100 visits them all, so it must agree with exact search.
    expect(result.approximation?.meanOverlap).toBe(1);
    expect(result.approximation?.exactMean['ndcg_cut.10']).toBe(result.mean['ndcg_cut.10']);
    expect(result.engine).toMatchObject({ engine: 'opensearch-knn', backend: 'opensearch' });
    const indexes = (await client.cat.indices({ index: `${prefix}-*`, format: 'json' })).body as { index: string }[];
    expect(indexes.map((i) => i.index)).toContainEqual(expect.stringMatching(new RegExp(`^${prefix}-scifact-e5-small-v2-asymmetric-`)));
  }, 300_000);
});

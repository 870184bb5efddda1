/**
 * The corpus is streamed (never held), BM25 is built from the stream and exact search reads passage vectors block
 * by block from the embedding cache's segment files. These tests check that the run files a user gets are the
 * ones the in-memory path gave: byte for byte against recorded hashes for BM25, and against the in-memory
 * reference (whole matrix, scalar exact loop) for a dense system.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rankedRunOf } from '../../src/ranking.js';
import { exactTopK } from '../../src/backends/exact.js';
import { cutRun } from '../../src/bench/cut-run.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { embedTexts } from '../../src/embed/cache.js';
import { loadEncoder } from '../../src/embed/encoder.js';
import { writeRunFile } from '../../src/formats/run-file.js';
import { passageText, queryText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import { runCli } from '../helpers/cli.js';
import { docsOf } from '../helpers/corpus.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, itWithShared, SHARED_BEIR } from '../helpers/shared.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(tag: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `beir-bench-${tag}-`));
  dirs.push(d);
  return d;
}

/** The run files of the one run folder under `out`, by file name. */
async function runFiles(out: string): Promise<Map<string, Buffer>> {
  const [runId] = await readdir(out);
  const dir = join(out, runId, 'runs');
  return new Map(await Promise.all((await readdir(dir)).map(async (f) => [f, await readFile(join(dir, f))] as const)));
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * sha256 of the BM25 run files (k = 100) written by the in-memory implementation (commit f2b692c, before the
 * corpus was streamed), for `bench --arms bm25 -k 100` on the full datasets. BM25 is float32 arithmetic in JS, the
 * same on every machine.
 */
const BM25_RUNS_BEFORE_STREAMING = {
  'scifact.bm25.trec': '4db42962ee2428d02b0e8077d423fe8151cd866e013b207239e8462f7a8a459e',
  'nfcorpus.bm25.trec': 'f3bb741aed531919358fcce9d0b8d4c656aa205f7fbec78e60dda11b390922d0',
};

describe('run files on the streamed path', () => {
  itWithShared('BM25 on full SciFact and NFCorpus: byte for byte the run files of the in-memory implementation', async () => {
    const out = await tempDir('stream-bm25');
    const r = await runCli(['bench', '--dataset', 'scifact,nfcorpus', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '-k', '100', '--permutations', '10', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const files = await runFiles(out);
    expect(Object.fromEntries([...files].map(([f, b]) => [f, sha256(b)]))).toEqual(BM25_RUNS_BEFORE_STREAMING);
  }, 120_000);

  const modelsDir = warnIfNoModels('streamed dense run vs the in-memory reference');
  it.skipIf(!modelsDir || !hasSharedBeir())('a dense system on a SciFact slice: the run file of the whole-matrix reference search', async () => {
    const out = await tempDir('stream-dense-out');
    const cacheDir = await tempDir('stream-dense-cache');
    const slice = { split: 'test', maxDocs: 150, maxQueries: 20 };
    const r = await runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'asymmetric', '--dtype', 'q8', '--models-dir', modelsDir!,
      '--embed-cache-dir', cacheDir, '--max-docs', String(slice.maxDocs), '--max-queries', String(slice.maxQueries), '-k', '100',
      '--permutations', '10', '--out', out, '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const files = await runFiles(out);
    expect([...files.keys()]).toEqual(['scifact.e5-small-v2.asymmetric.q8.trec']);
    const got = files.get('scifact.e5-small-v2.asymmetric.q8.trec')!;

    // The reference: the whole slice in memory, its vectors as one matrix (served by the cache the run filled), the scalar exact loop.
    const ds = await loadDataset('scifact', join(SHARED_BEIR, 'scifact'), slice);
    const docs = await docsOf(ds.corpus);
    const model = getModel('intfloat/e5-small-v2');
    const encoder = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir! });
    try {
      const embed = (texts: string[]) => embedTexts({ encoder, texts, cacheDir, namespace: 'scifact', label: 'reference', quiet: true });
      const passages = await embed(docs.map((d) => passageText(d, model.passagePrefix)));
      const queries = await embed(ds.queries.map((q) => queryText(q, model.queryPrefix)));
      expect(passages.encoded + queries.encoded).toBe(0);
      const hits = exactTopK(queries.matrix, passages.matrix, docs.map((d) => d.id), 101);
      const ranked = cutRun(rankedRunOf(ds.queries, hits), 100, true);
      const file = join(await tempDir('stream-dense-ref'), 'ref.trec');
      const run = new Map([...ranked].map(([qid, h]) => [qid, new Map(h.map((x) => [x.id, x.score]))]));
      await writeRunFile(file, run, 'beir-bench.e5-small-v2.asymmetric.q8');
      expect(got.equals(await readFile(file))).toBe(true);
    } finally {
      await encoder.dispose();
    }
  }, 300_000);
});

/**
 * Fault suite, OpenSearch (docs/RELIABILITY.md): a throw-away node started for this file on a free port
 * (scripts/opensearch-local.sh; never the shared nodes), killed with SIGKILL in the middle of a bulk ingestion and
 * in the middle of the searches of `bench --backend opensearch` on a SciFact slice. The run stops with one error
 * and writes no results; after a restart the rerun rebuilds the half-filled index, or reuses the complete one,
 * and ends with the undisturbed run's scores.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nth, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { hasSharedBeir, REPO_ROOT } from '../helpers/shared.js';
import { NODE_URL, warnIfNoNode } from '../opensearch/helpers.js';
import { checkOutFolder, finished, MODELS_DIR, record, runCli, scoresOf, sliceArgs, stoppedWithOneError } from './harness.js';

const exec = promisify(execFile);
const LONG = 1_200_000;

/** An HTTP port p in 9400-9499 with p and its transport port p + 100 free (the shared nodes use 9200-9311). */
async function freeNodePort(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((ok) => {
      const s = createServer().once('error', () => ok(false));
      s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
    });
  for (let tries = 0; tries < 50; tries++) {
    const port = 9400 + Math.floor(Math.random() * 100);
    if ((await free(port)) && (await free(port + 100))) return port;
  }
  throw new Error('no free port pair in 9400-9599 for a throw-away OpenSearch node');
}

warnIfNoNode('OpenSearch node faults');
describe.skipIf(!NODE_URL || !MODELS_DIR || !hasSharedBeir())('faults at an OpenSearch node (a throw-away node, killed)', () => {
  let dir: string;
  let port: number;
  let proxy: FaultProxy;
  let base: { scores: ReturnType<typeof scoresOf>; seconds: number };
  const node = (command: string) =>
    exec('bash', [join(REPO_ROOT, 'scripts', 'opensearch-local.sh'), command], {
      env: { ...process.env, BEIR_BENCH_OPENSEARCH_PORT: String(port), BEIR_BENCH_OPENSEARCH_HEAP: '512m' },
      maxBuffer: 16 << 20,
    });
  const killNode = async () => {
    for (const pid of (await node('pid')).stdout.trim().split('\n')) process.kill(Number(pid), 'SIGKILL');
  };
  let started = 0;
  const bench = (prefix: string) => {
    const n = ++started;
    return runCli(sliceArgs(join(dir, `out-${n}`), join(dir, 'cache'), {
      arms: 'bm25,asymmetric',
      extra: ['--backend', 'opensearch', '--opensearch-url', proxy.url, '--index-prefix', prefix, '--bulk-size', '10', '--bulk-concurrency', '1'],
    })).then((run) => ({ run, out: join(dir, `out-${n}`) }));
  };
  const prefix = () => `beir-bench-faults-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-faults-opensearch-'));
    port = await freeNodePort();
    await node('start');
    proxy = await startFaultProxy(`http://127.0.0.1:${port}`);
    const { run } = await bench(prefix());
    base = { scores: scoresOf((await finished(run)).results), seconds: run.seconds };
  }, LONG);
  afterAll(async () => {
    await proxy?.close();
    if (port) await node('delete').catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // BM25 is indexed and searched first: the node dies during its bulk ingestion, or during its first _msearch
  // (its index complete, the k-NN index not created yet).
  const cases = [
    { fault: 'OpenSearch node killed mid-ingest', path: /\/_bulk$/, nth: 2, rerun: 'rebuilds the half-filled index', deletes: 1 },
    { fault: 'OpenSearch node killed mid-search', path: /\/_msearch$/, nth: 1, rerun: 'reuses the complete index', deletes: 0 },
  ];
  for (const c of cases) {
    it(`${c.fault}: one clear error, no results; after a restart the rerun ${c.rerun}, scores identical`, async () => {
      const p = prefix();
      // Kill the node when the nth matching request reaches the proxy (earlier ones pass untouched).
      proxy.script(nth(c.nth, c.path, { before: killNode }));
      const stopped = await bench(p);
      stoppedWithOneError(stopped.run, /^error: .*http:\/\/127\.0\.0\.1:\d+.*(ECONNREFUSED|ECONNRESET|socket hang up|connect|Connection)/i);
      expect(await checkOutFolder(stopped.out)).toEqual([]);

      const restart = performance.now();
      await node('start');
      const restartSeconds = (performance.now() - restart) / 1000;
      const from = proxy.requests.length;
      const again = await bench(p);
      expect(scoresOf((await finished(again.run)).results)).toEqual(base.scores);
      // Rebuilt = the index deleted and filled again; reused = nothing deleted.
      const deleted = proxy.requests.slice(from).filter((r) => r.method === 'DELETE' && r.path.startsWith(`/${p}`));
      expect(deleted).toHaveLength(c.deletes);
      record(c.fault, {
        outcome: `stopped with one error; rerun ${c.rerun}`, scoresIdentical: true, seconds: stopped.run.seconds + again.run.seconds,
        restartSeconds, undisturbedSeconds: base.seconds,
      });
    }, LONG);
  }
});

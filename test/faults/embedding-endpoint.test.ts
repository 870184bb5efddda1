/**
 * Fault suite, embedding endpoint (docs/RELIABILITY.md): `beir-bench serve` (the real e5-small-v2) behind a proxy
 * that misbehaves on cue, `bench --encoder-url` on a SciFact slice. Transient faults are retried and the run ends
 * with the undisturbed run's scores; a wrong answer stops the run with one error naming it, nothing half-written,
 * and a rerun completes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_TEXTS } from '../../src/embed/probe-fingerprint.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { hasSharedBeir } from '../helpers/shared.js';
import { checkCache, checkOutFolder, finished, MODELS_DIR, record, runCli, scoresOf, sliceArgs, stoppedWithOneError } from './harness.js';

const LONG = 1_200_000;
/** Embedding requests of the run itself (the probes sent when the encoder opens are left alone). */
const work = (r: { path: string; body: Buffer }) => r.path.endsWith('/embeddings') && !r.body.toString('utf8').includes(PROBE_TEXTS[0]);
const faults = (...list: Fault[]) => list.map((fault) => ({ match: work, fault }));

type Answer = { data: { embedding: string }[] };
const b64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const floats = (s: string) => new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer);

describe.skipIf(!MODELS_DIR || !hasSharedBeir())('faults at the embedding endpoint (beir-bench serve behind a misbehaving proxy)', () => {
  let dir: string;
  let serve: ServeProcess;
  let proxy: FaultProxy;
  let base: { scores: ReturnType<typeof scoresOf>; seconds: number };
  let n = 0;
  const run = (cache = join(dir, `cache-${++n}`)) => ({
    cache,
    out: join(dir, `out-${n}`),
    /** A 2 s timeout once serve answers from its cache; the first run waits for serve to encode. */
    go(timeoutSeconds = 2) {
      const transport = ['--encoder-timeout', String(timeoutSeconds), '--encoder-retries', '3', '--encoder-batch-size', '16'];
      return runCli(sliceArgs(this.out, this.cache, { extra: ['--encoder-url', `${proxy.url}/v1`, ...transport] }));
    },
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-faults-endpoint-'));
    serve = await startServe(['--models-dir', MODELS_DIR!, '--threads', '1', '--embed-cache-dir', join(dir, 'serve-cache')]);
    proxy = await startFaultProxy(serve.url.replace(/\/v1$/, ''));
    const cold = await run().go(600);
    // serve's own cache now holds every vector: the runs below cost HTTP, not encoding. The undisturbed run they
    // are compared with is the same, with its own fresh client cache.
    const undisturbed = await run().go();
    base = { scores: scoresOf((await finished(undisturbed)).results), seconds: undisturbed.seconds };
    expect(scoresOf((await finished(cold)).results)).toEqual(base.scores);
  }, LONG);
  afterAll(async () => {
    await proxy?.close();
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const transient: { fault: string; script: Fault[] }[] = [
    { fault: 'endpoint answers 503', script: [{ status: 503 }, { status: 503 }] },
    { fault: 'endpoint answers 429 with Retry-After', script: [{ status: 429, retryAfter: '1' }] },
    { fault: 'endpoint drops connections', script: [{ reset: true }, { reset: true }] },
    { fault: 'endpoint slower than --encoder-timeout', script: [{ delayMs: 4000 }] },
  ];
  for (const c of transient) {
    it(`${c.fault}: retried, scores identical to the undisturbed run`, async () => {
      const r = run();
      proxy.script(...faults(...c.script));
      const before = proxy.injected.length;
      const done = await r.go();
      expect(scoresOf((await finished(done)).results)).toEqual(base.scores);
      expect(proxy.pending()).toBe(0);
      const retries = proxy.injected.length - before;
      expect(retries).toBe(c.script.length);
      await checkCache(r.cache);
      record(c.fault, { outcome: 'finished', scoresIdentical: true, retries, seconds: done.seconds, undisturbedSeconds: base.seconds });
    }, LONG);
  }

  const wrong: { fault: string; rewrite: (a: Answer) => Answer; error: RegExp }[] = [
    {
      fault: 'endpoint answers vectors of the wrong dimension',
      rewrite: (a) => ({ ...a, data: a.data.map((d) => ({ ...d, embedding: b64(Float32Array.from([...floats(d.embedding), 0])) })) }),
      error: /^error: embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings: the vector of input \d+ \(.*\) has 385 values; intfloat\/e5-small-v2 has dimension 384 \(--dimension\)$/,
    },
    {
      fault: 'endpoint answers fewer vectors than inputs',
      rewrite: (a) => ({ ...a, data: a.data.slice(0, -1) }),
      error: /^error: embedding endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings: answered (\d+) vectors for \d+ inputs$/,
    },
  ];
  for (const c of wrong) {
    it(`${c.fault}: one clear error, nothing half-written; a rerun completes with identical scores`, async () => {
      const r = run();
      proxy.script(...faults({ rewrite: c.rewrite as (a: unknown) => unknown }));
      const stopped = await r.go();
      stoppedWithOneError(stopped, c.error);
      expect(await checkOutFolder(r.out)).toEqual([]);
      await checkCache(r.cache, { exactIndex: false });
      const again = await r.go();
      expect(scoresOf((await finished(again)).results)).toEqual(base.scores);
      await checkCache(r.cache);
      record(c.fault, { outcome: 'stopped with one error; rerun finished', scoresIdentical: true, seconds: stopped.seconds + again.seconds, undisturbedSeconds: base.seconds });
    }, LONG);
  }
});

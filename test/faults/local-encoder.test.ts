/**
 * Fault suite, local encoder and embedding cache (docs/RELIABILITY.md): the real e5-small-v2 on a SciFact slice,
 * the real CLI in child processes. Each case ends with the scores of the undisturbed run (every query of every
 * system), or with one clear error and nothing half-written, and a rerun that completes with those scores.
 */
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_FILE } from '../../src/embed/vector-store.js';
import { hasSharedBeir } from '../helpers/shared.js';
import {
  cachedKeys, checkCache, checkOutFolder, finished, MODELS_DIR, record, runCli, scoresOf, segmentsOf, sliceArgs, startCli, stoppedWithOneError, waitFor,
} from './harness.js';
import { smallDisk } from './small-disk.js';

const INJECT = fileURLToPath(new URL('./inject.ts', import.meta.url));
/**
 * Passages per system: the 10 queries' 10 relevant ones and 10 others. Every case encodes at least one system's
 * passages cold, so the slice is kept small; 20 still take seconds on one thread (the window a mid-encode signal
 * lands in) and make a passage segment of 31 kB (the truncation case cuts it to 1000 bytes).
 */
const PASSAGES = 20;
const QUERIES = 10;
/** Both systems' vectors, and the first (symmetric) system's: what an interrupted run has persisted. */
const VECTORS = 2 * (PASSAGES + QUERIES);
const FIRST_SYSTEM = PASSAGES + QUERIES;
const slice = (out: string, cache: string, opts: { arms?: string } = {}) => sliceArgs(out, cache, { maxDocs: PASSAGES, ...opts });
/** The stderr line of a run that encoded `encoded` passages and read `cached` from the cache. */
const embedded = (encoded: number, cached: number) => new RegExp(`Embedding: ${encoded} passages encoded, ${cached} from cache`);
const LONG = 1_200_000;

describe.skipIf(!MODELS_DIR || !hasSharedBeir())('faults around the local encoder and the embedding cache (real e5-small-v2, SciFact slice)', () => {
  let work: string;
  /** The undisturbed run: its scores, its time with a cold and with a warm cache, its cache and the keys held. */
  let base: { scores: ReturnType<typeof scoresOf>; seconds: number; warmSeconds: number; cache: string; keys: Set<string> };
  const out = (name: string) => join(work, `out-${name}`);
  const copyCache = async (name: string) => {
    const dir = join(work, `cache-${name}`);
    await cp(base.cache, dir, { recursive: true });
    return dir;
  };
  /** A rerun on a healed or resumed cache: everything served from it, the undisturbed scores. */
  const rerunServedFromCache = async (cache: string, name: string) => {
    const again = await runCli(slice(out(`${name}-again`), cache));
    expect(scoresOf((await finished(again)).results)).toEqual(base.scores);
    expect(again.stderr).toMatch(embedded(0, 2 * PASSAGES));
    return again.seconds;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-faults-local-'));
    const cache = join(work, 'cache-undisturbed');
    const run = await runCli(slice(out('undisturbed'), cache));
    const { results } = await finished(run);
    base = { scores: scoresOf(results), seconds: run.seconds, warmSeconds: NaN, cache, keys: await cachedKeys(cache) };
    expect(await checkCache(cache)).toBe(VECTORS);
    expect(base.keys.size).toBe(VECTORS);
    base.warmSeconds = await rerunServedFromCache(cache, 'undisturbed');
  }, LONG);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const damaged = [
    {
      fault: 'corrupted cache segment',
      damage: async (cache: string) => {
        const [victim] = await segmentsOf(cache); // a passage segment: keys intact, one vector flipped
        const bytes = await readFile(victim);
        bytes[bytes.length - 5] ^= 0xff;
        await writeFile(victim, bytes);
      },
      warning: /warning: embedding cache segment .*\.bin is corrupted \(checksum mismatch\); discarded, its vectors will be re-encoded/,
      reencoded: PASSAGES,
    },
    {
      fault: 'truncated cache segment',
      damage: async (cache: string) => truncate((await segmentsOf(cache))[0], 1000),
      warning: /warning: embedding cache segment .*\.bin is corrupted \(size 1000 bytes, header implies \d+\)/,
      reencoded: PASSAGES,
    },
    {
      fault: 'corrupted cache index file',
      damage: async (cache: string) => {
        const [segment] = await segmentsOf(cache);
        await writeFile(join(segment, '..', INDEX_FILE), '{"version": 1, "segments": [{"file": "gone.bin", "coun');
      },
      warning: null,
      reencoded: 0,
    },
  ];
  for (const c of damaged) {
    it(`${c.fault}: rebuilt within the same run, scores identical to the undisturbed run`, async () => {
      const cache = await copyCache(c.fault.replace(/ /g, '-'));
      await c.damage(cache);
      const run = await runCli(slice(out(c.fault), cache));
      const { results } = await finished(run);
      expect(scoresOf(results)).toEqual(base.scores);
      if (c.warning) expect(run.stderr).toMatch(c.warning);
      expect(await checkCache(cache)).toBe(VECTORS);
      expect(await cachedKeys(cache)).toEqual(base.keys);
      record(c.fault, { outcome: 'finished', scoresIdentical: true, reencoded: c.reencoded, seconds: run.seconds, undisturbedSeconds: base.warmSeconds });
    }, LONG);
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} mid-encode: nothing half-written; the rerun resumes from the persisted chunks with identical scores`, async () => {
      const cache = join(work, `cache-${signal}-encode`);
      const o = out(`${signal}-encode`);
      const p = startCli(slice(o, cache));
      // The symmetric system's passages and queries are persisted; the asymmetric passages are being encoded.
      await waitFor('the first system\'s vectors in the cache', async () => (await segmentsOf(cache)).length >= 2);
      p.child.kill(signal);
      const stopped = await p.done;
      expect(stopped.signal).toBe(signal);
      expect(await checkOutFolder(o)).toEqual([]);
      expect(await checkCache(cache, { exactIndex: false })).toBe(FIRST_SYSTEM);

      const resumed = await runCli(slice(o, cache));
      expect(scoresOf((await finished(resumed)).results)).toEqual(base.scores);
      expect(resumed.stderr).toMatch(embedded(PASSAGES, PASSAGES));
      expect(await checkCache(cache)).toBe(VECTORS);
      record(`${signal} mid-encode`, {
        outcome: 'stopped, rerun resumed', scoresIdentical: true, resumedFromCache: FIRST_SYSTEM, seconds: stopped.seconds + resumed.seconds, undisturbedSeconds: base.seconds,
      });
    }, LONG);

    it(`${signal} while the results are being written: no results folder, nothing half-written; a rerun completes`, async () => {
      const cache = await copyCache(`${signal}-write`);
      const o = out(`${signal}-write`);
      // The signal arrives right after results.json is written into the temp folder, before the reports are.
      const stopped = await runCli(slice(o, cache), { env: { BEIR_BENCH_INJECT_SIGNAL: `${signal}:results.json` }, preload: [INJECT] });
      expect(stopped.signal).toBe(signal);
      expect(await readdir(o)).toEqual([]);
      const again = await runCli(slice(o, cache));
      expect(scoresOf((await finished(again)).results)).toEqual(base.scores);
      expect(await checkOutFolder(o)).toHaveLength(1);
      record(`${signal} mid-write of results`, { outcome: 'stopped, nothing written; rerun finished', scoresIdentical: true, seconds: stopped.seconds + again.seconds, undisturbedSeconds: base.warmSeconds });
    }, LONG);
  }

  it('two runs at once, one cold cache and one --out (same model, overlapping texts): both finish with the undisturbed scores, two complete result folders, a readable cache', async () => {
    const cache = join(work, 'cache-concurrent');
    const o = out('concurrent');
    const [a, b] = await Promise.all([runCli(slice(o, cache)), runCli(slice(o, cache, { arms: 'asymmetric' }))]);
    const [ra, rb] = [await finished(a), await finished(b)];
    expect(ra.dir).not.toBe(rb.dir);
    expect((await checkOutFolder(o)).sort()).toEqual([ra.dir, rb.dir].map((d) => d.split('/').at(-1)).sort());
    expect(scoresOf(ra.results)).toEqual(base.scores);
    const asymmetric = Object.keys(base.scores.scifact).find((id) => id.endsWith('.asymmetric'))!;
    expect(scoresOf(rb.results)).toEqual({ scifact: { [asymmetric]: base.scores.scifact[asymmetric] } });
    // Both may have encoded the shared texts (wasted work, no harm): every key is there, every segment valid.
    const held = await checkCache(cache);
    expect(await cachedKeys(cache)).toEqual(base.keys);
    record('two runs at once (same cache, same --out)', {
      outcome: 'both finished', scoresIdentical: true, vectorsHeld: held, distinctVectors: base.keys.size, seconds: Math.max(a.seconds, b.seconds), undisturbedSeconds: base.seconds,
    });
  }, LONG);

  it('a full disk while writing cache segments: one clear error, the cache readable, a rerun with space completes', async () => {
    const disk = await smallDisk(1 << 20);
    try {
      const cache = join(disk.dir, 'cache');
      const o = out('full-cache');
      // Room for the symmetric system's two segments and the index (about 53 kB in 4 kB pages, 18 pages free), not
      // for the asymmetric system's passages (32 kB more).
      await disk.fill(74_000);
      const full = await runCli(slice(o, cache), disk.child());
      stoppedWithOneError(full, new RegExp(`^error: cannot write ${cache}/.*: no space left on the device \\(ENOSPC\\); nothing was left half-written$`));
      expect(await checkOutFolder(o)).toEqual([]);
      expect(await checkCache(cache, { exactIndex: false })).toBe(FIRST_SYSTEM);
      await disk.unfill();
      const again = await runCli(slice(o, cache), disk.child());
      expect(scoresOf((await finished(again)).results)).toEqual(base.scores);
      expect(again.stderr).toMatch(embedded(PASSAGES, PASSAGES));
      expect(await checkCache(cache)).toBe(VECTORS);
      record('full disk while writing cache segments', { how: disk.how, outcome: 'stopped with one error; rerun finished', scoresIdentical: true, seconds: full.seconds + again.seconds, undisturbedSeconds: base.seconds });
    } finally {
      await disk.release();
    }
  }, LONG);
});

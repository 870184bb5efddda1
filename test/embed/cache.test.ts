import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { embedTexts, type EmbedRequest } from '../../src/embed/cache.js';
import { loadEncoder, type Encoder } from '../../src/embed/encoder.js';
import { getModel } from '../../src/models/registry.js';
import { warnIfNoModels } from '../helpers/models.js';
import { sampleTexts } from './fixtures/texts.js';

const modelsDir = warnIfNoModels('embedding cache tests with real e5-small-v2 weights');

/** All segment files under a cache dir, with their paths. */
async function segments(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.bin')).map((e) => join(dir, e)).sort();
}

describe.skipIf(!modelsDir)('embedTexts with the cache', () => {
  const model = getModel('intfloat/e5-small-v2');
  let fp32: Encoder;
  let q8: Encoder;
  let cacheDir: string;
  const texts = sampleTexts(24);
  const run = (over: Partial<EmbedRequest> = {}) =>
    embedTexts({ encoder: fp32, texts, cacheDir, namespace: 'unit', label: 'test', quiet: true, chunkSize: 8, ...over });

  beforeAll(async () => {
    fp32 = await loadEncoder({ model, dtype: 'fp32', modelsDir: modelsDir!, threads: 1, batchSize: 4 });
    q8 = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir!, threads: 1, batchSize: 4 });
  });
  afterAll(async () => {
    await fp32?.dispose();
    await q8?.dispose();
  });
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-cache-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('encodes once, then serves identical vectors from the cache in caller order', async () => {
    const first = await run();
    expect(first).toMatchObject({ encoded: 24, fromCache: 0 });
    expect(await segments(cacheDir)).toHaveLength(3);
    const shuffled = [...texts].reverse();
    const second = await run({ texts: shuffled });
    expect(second).toMatchObject({ encoded: 0, fromCache: 24 });
    const again = { ...second.matrix, data: new Float32Array(second.matrix.data) };
    for (let i = 0; i < 24; i++) {
      expect(again.data.subarray((23 - i) * 384, (24 - i) * 384)).toEqual(first.matrix.data.subarray(i * 384, (i + 1) * 384));
    }
  });

  it('agrees with encoding directly, and encodes repeated texts once', async () => {
    const withDupes = [texts[0], texts[1], texts[0]];
    const out = await run({ texts: withDupes });
    expect(out).toMatchObject({ encoded: 2, fromCache: 0 });
    const direct = await fp32.encode(withDupes);
    for (let i = 0; i < 3; i++) {
      const a = out.matrix.data.subarray(i * 384, (i + 1) * 384);
      const b = direct.data.subarray(i * 384, (i + 1) * 384);
      expect(a.reduce((s, x, j) => s + x * b[j], 0)).toBeGreaterThan(0.99999);
    }
  });

  it('misses when a key part changes (dtype) and when the namespace differs', async () => {
    await run();
    expect(await run({ encoder: q8 })).toMatchObject({ encoded: 24, fromCache: 0 });
    expect(await run({ namespace: 'other' })).toMatchObject({ encoded: 24, fromCache: 0 });
    expect(await run({ texts: texts.map((t) => t.replace('passage: ', 'query: ')) })).toMatchObject({ encoded: 24, fromCache: 0 });
  });

  it('detects a corrupted segment, warns, and rebuilds it', async () => {
    const first = await run();
    const [victim] = await segments(cacheDir);
    const bytes = await readFile(victim);
    bytes[bytes.length - 5] ^= 0xff; // flip bits inside a stored vector
    await writeFile(victim, bytes);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const second = await run();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/corrupted \(checksum mismatch\)/));
    expect(second).toMatchObject({ encoded: 8, fromCache: 16 });
    expect(second.matrix.data).toEqual(first.matrix.data);
    expect(await run()).toMatchObject({ encoded: 0, fromCache: 24 });
  });

  it('detects a truncated segment when opening the cache', async () => {
    await run();
    const [victim] = await segments(cacheDir);
    const bytes = await readFile(victim);
    await writeFile(victim, bytes.subarray(0, bytes.length - 100));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await run()).toMatchObject({ encoded: 8, fromCache: 16 });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/corrupted \(size \d+ bytes, header implies \d+\)/));
  });

  it('writes nothing without a cache dir', async () => {
    expect(await run({ cacheDir: null })).toMatchObject({ encoded: 24, fromCache: 0 });
    expect(await segments(cacheDir)).toEqual([]);
  });
});

import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeDir } from '../../src/embed/cache.js';
import { clearCache, listCache } from '../../src/embed/cache-inventory.js';
import { configHash, entryKey, type CacheKeyParts } from '../../src/embed/cache-key.js';
import { CorruptSegmentError, decodeHeader, encodeSegment, segmentKeys, segmentVectors } from '../../src/embed/segment-file.js';
import { VectorStore } from '../../src/embed/vector-store.js';

const parts = (model: string, dtype = 'fp32'): CacheKeyParts => ({ model, weightsSha256: 'a'.repeat(64), dtype, pooling: 'mean', normalize: true, maxLength: 512 });
const DIM = 3;

describe('segment file', () => {
  const keys = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
  const vectors = Float32Array.from([1, 2, 3, 4, 5, 6]);

  it('round-trips keys and vectors', () => {
    const buf = encodeSegment(keys, vectors, DIM);
    const header = decodeHeader(buf, buf.length);
    expect(header).toEqual({ dim: DIM, count: 2 });
    expect(segmentKeys(buf, header)).toEqual(keys);
    expect(segmentVectors(buf).vectors).toEqual(vectors);
  });

  it('rejects a flipped bit, a short file and a foreign file', () => {
    const buf = encodeSegment(keys, vectors, DIM);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 1] ^= 1;
    expect(() => segmentVectors(flipped)).toThrow(CorruptSegmentError);
    expect(() => segmentVectors(buf.subarray(0, buf.length - 4))).toThrow(/header implies/);
    expect(() => decodeHeader(Buffer.alloc(64))).toThrow(/bad magic/);
  });
});

describe('vector store and cache inventory', () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-store-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function fill(namespace: string, p: CacheKeyParts, texts: string[]): Promise<string> {
    const hex = configHash(p);
    const dir = storeDir(cacheDir, namespace, p.model, hex);
    const store = await VectorStore.open(dir, namespace, p, DIM);
    await store.append(texts.map((t) => entryKey(hex, t)), new Float32Array(texts.length * DIM).fill(0.5));
    return dir;
  }

  it('rebuilds its index from the self-validating segments and removes a dead writer\'s temp file', async () => {
    const p = parts('intfloat/e5-small-v2');
    const dir = await fill('scifact', p, ['a', 'b']);
    await writeFile(join(dir, 'index.json'), '{"segments": []}'); // as if killed between segment rename and index write
    await writeFile(join(dir, '.x.bin.999999999.abcd.tmp'), 'partial');
    const store = await VectorStore.open(dir, 'scifact', p, DIM);
    const out = new Float32Array(2 * DIM);
    const wanted = new Map(['a', 'b'].map((t, row) => [entryKey(configHash(p), t).toString('hex'), [row]]));
    expect((await store.read(wanted, out)).size).toBe(2);
    expect(Array.from(out)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(await readdir(dir)).not.toContain('.x.bin.999999999.abcd.tmp');
  });

  it('lists entries and size per dataset and model, and clears by model or dataset', async () => {
    await fill('scifact', parts('intfloat/e5-small-v2'), ['a', 'b', 'c']);
    await fill('scifact', parts('intfloat/e5-small-v2', 'q8'), ['a']);
    await fill('nfcorpus', parts('intfloat/e5-small-v2'), ['x']);
    await fill('scifact', parts('sentence-transformers/all-MiniLM-L6-v2'), ['a', 'b']);
    const listed = await listCache(cacheDir);
    expect(listed.map((f) => [f.namespace, f.model, f.dtype, f.entries])).toEqual([
      ['nfcorpus', 'intfloat/e5-small-v2', 'fp32', 1],
      ['scifact', 'intfloat/e5-small-v2', expect.any(String), expect.any(Number)],
      ['scifact', 'intfloat/e5-small-v2', expect.any(String), expect.any(Number)],
      ['scifact', 'sentence-transformers/all-MiniLM-L6-v2', 'fp32', 2],
    ]);
    expect(listed.every((f) => f.bytes > 0)).toBe(true);

    expect(await clearCache(cacheDir, { model: 'intfloat/e5-small-v2', dataset: 'scifact' })).toHaveLength(2);
    expect((await listCache(cacheDir)).map((f) => `${f.namespace} ${f.model}`)).toEqual(['nfcorpus intfloat/e5-small-v2', 'scifact sentence-transformers/all-MiniLM-L6-v2']);
    expect(await clearCache(cacheDir, {})).toHaveLength(2);
    expect(await listCache(cacheDir)).toEqual([]);
  });

  it('reports an unreadable index as unknown entries rather than failing', async () => {
    const dir = join(cacheDir, 'ns', 'm', '0123456789abcdef');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.json'), 'not json');
    const [f] = await listCache(cacheDir);
    expect(f.entries).toBeNaN();
    expect(f.namespace).toBe('ns');
  });
});

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { CacheKeyParts } from './cache-key.js';
import { CorruptSegmentError, HEADER_BYTES, KEY_BYTES, decodeHeader, encodeSegment, segmentKeys, segmentVectors } from './segment-file.js';

export const INDEX_FILE = 'index.json';

/** index.json: what the folder holds, readable without opening the segments (the `cache` command uses it). */
export interface StoreIndex {
  version: 1;
  namespace: string;
  parts: CacheKeyParts;
  dimension: number;
  segments: { file: string; count: number }[];
}

interface Location {
  file: string;
  row: number;
}

/**
 * The vectors of one (namespace, key parts) pair: a folder of append-only segment files plus index.json.
 * Segments are the truth (each is self-validating); the index is rewritten after every segment, and a segment a
 * killed process wrote but did not index yet is adopted on the next open.
 */
export class VectorStore {
  private constructor(
    readonly dir: string,
    private readonly index: StoreIndex,
    private readonly locations: Map<string, Location>,
  ) {}

  static async open(dir: string, namespace: string, parts: CacheKeyParts, dimension: number): Promise<VectorStore> {
    await mkdir(dir, { recursive: true });
    const index: StoreIndex = { version: 1, namespace, parts, dimension, segments: [] };
    const locations = new Map<string, Location>();
    const names = (await readdir(dir)).filter((n) => n.endsWith('.bin')).sort();
    for (const file of names) {
      try {
        const keys = await readKeys(join(dir, file), dimension);
        keys.forEach((k, row) => locations.set(k.toString('hex'), { file, row }));
        index.segments.push({ file, count: keys.length });
      } catch (err) {
        if (!(err instanceof CorruptSegmentError)) throw err;
        await discard(join(dir, file), err.message);
      }
    }
    await removeDeadTempFiles(dir);
    const store = new VectorStore(dir, index, locations);
    await store.writeIndex();
    return store;
  }

  /**
   * Copy cached vectors into `out` rows: `wanted` maps key -> output rows. Returns the keys served; a segment that
   * fails its checksum is discarded with a warning and its keys are left out (the caller re-encodes them).
   */
  async read(wanted: Map<string, number[]>, out: Float32Array): Promise<Set<string>> {
    const dim = this.index.dimension;
    const byFile = new Map<string, [string, number][]>();
    for (const key of wanted.keys()) {
      const loc = this.locations.get(key);
      if (!loc) continue;
      const entries = byFile.get(loc.file);
      if (entries) entries.push([key, loc.row]);
      else byFile.set(loc.file, [[key, loc.row]]);
    }
    const served = new Set<string>();
    for (const [file, entries] of byFile) {
      let vectors: Float32Array;
      try {
        ({ vectors } = segmentVectors(await readFile(join(this.dir, file))));
      } catch (err) {
        if (!(err instanceof CorruptSegmentError)) throw err;
        await this.drop(file, err.message);
        continue;
      }
      for (const [key, row] of entries) {
        const v = vectors.subarray(row * dim, (row + 1) * dim);
        for (const r of wanted.get(key)!) out.set(v, r * dim);
        served.add(key);
      }
    }
    return served;
  }

  /** Persist one chunk: the segment appears whole (temp file + rename) before the index mentions it. */
  async append(keys: Buffer[], vectors: Float32Array): Promise<void> {
    const file = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.bin`;
    await writeFileAtomic(join(this.dir, file), encodeSegment(keys, vectors, this.index.dimension));
    keys.forEach((k, row) => this.locations.set(k.toString('hex'), { file, row }));
    this.index.segments.push({ file, count: keys.length });
    await this.writeIndex();
  }

  private async drop(file: string, reason: string): Promise<void> {
    await discard(join(this.dir, file), reason);
    for (const [key, loc] of this.locations) if (loc.file === file) this.locations.delete(key);
    this.index.segments = this.index.segments.filter((s) => s.file !== file);
    await this.writeIndex();
  }

  private writeIndex(): Promise<void> {
    return writeFileAtomic(join(this.dir, INDEX_FILE), `${JSON.stringify(this.index, null, 1)}\n`);
  }
}

async function readKeys(path: string, dimension: number): Promise<Buffer[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(HEADER_BYTES);
    await fh.read(head, 0, HEADER_BYTES, 0);
    const header = decodeHeader(head, size);
    if (header.dim !== dimension) throw new CorruptSegmentError(`holds ${header.dim}-dim vectors, expected ${dimension}`);
    const keys = Buffer.alloc(header.count * KEY_BYTES);
    await fh.read(keys, 0, keys.length, HEADER_BYTES);
    return segmentKeys(Buffer.concat([head, keys]), header);
  } finally {
    await fh.close();
  }
}

async function discard(path: string, reason: string): Promise<void> {
  console.warn(`warning: embedding cache segment ${path} is corrupted (${reason}); discarded, its vectors will be re-encoded`);
  await rm(path, { force: true });
}

/** Temp files (`.<name>.<pid>.<hex>.tmp`, see atomic-file.ts) left by a killed writer; a live writer's are kept. */
async function removeDeadTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await rm(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

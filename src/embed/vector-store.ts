import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { ByteTable } from '../byte-table.js';
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
 * Where each vector of a store is: its 32-byte key -> segment file and row. Kept in typed arrays (a ByteTable of
 * the keys, two Uint32Arrays) outside the V8 heap: about 56 bytes per vector, where a Map of hex strings cost about
 * 400 and, at several million vectors, ran into the heap limit.
 */
class Locations {
  private readonly keys = new ByteTable();
  private fileOf: Uint32Array = new Uint32Array(1024);
  private rowOf: Uint32Array = new Uint32Array(1024);
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  /** Files discarded as corrupted: their vectors are gone until appended again. */
  private readonly dropped = new Set<number>();

  set(key: Buffer, file: string, row: number): void {
    let f = this.fileIndex.get(file);
    if (f === undefined) {
      f = this.files.push(file) - 1;
      this.fileIndex.set(file, f);
    }
    const entry = this.keys.addBytes(key);
    if (entry === this.fileOf.length) {
      this.fileOf = grown(this.fileOf);
      this.rowOf = grown(this.rowOf);
    }
    this.fileOf[entry] = f;
    this.rowOf[entry] = row;
  }

  /** The location of a key given in hex, if its vector is held. */
  get(key: string): Location | undefined {
    const entry = this.keys.indexOfBytes(Buffer.from(key, 'hex'));
    if (entry < 0 || this.dropped.has(this.fileOf[entry])) return undefined;
    return { file: this.files[this.fileOf[entry]], row: this.rowOf[entry] };
  }

  dropFile(file: string): void {
    const f = this.fileIndex.get(file);
    if (f !== undefined) this.dropped.add(f);
  }
}

function grown(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length * 2);
  out.set(a);
  return out;
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
    private readonly locations: Locations,
  ) {}

  static async open(dir: string, namespace: string, parts: CacheKeyParts, dimension: number): Promise<VectorStore> {
    await mkdir(dir, { recursive: true });
    const index: StoreIndex = { version: 1, namespace, parts, dimension, segments: [] };
    const locations = new Locations();
    const names = (await readdir(dir)).filter((n) => n.endsWith('.bin')).sort();
    for (const file of names) {
      try {
        const keys = await readKeys(join(dir, file), dimension);
        keys.forEach((k, row) => locations.set(k, file, row));
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

  /** Whether the store holds the vector of `key` (hex). */
  has(key: string): boolean {
    return this.locations.get(key) !== undefined;
  }

  /** Persist one chunk: the segment appears whole (temp file + rename) before the index mentions it. */
  async append(keys: Buffer[], vectors: Float32Array): Promise<void> {
    const file = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.bin`;
    await writeFileAtomic(join(this.dir, file), encodeSegment(keys, vectors, this.index.dimension));
    keys.forEach((k, row) => this.locations.set(k, file, row));
    this.index.segments.push({ file, count: keys.length });
    await this.writeIndex();
  }

  private async drop(file: string, reason: string): Promise<void> {
    await discard(join(this.dir, file), reason);
    this.locations.dropFile(file);
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

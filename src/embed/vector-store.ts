import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { isAlive, withLock } from '../file-lock.js';
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

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

function grown(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length * 2);
  out.set(a);
  return out;
}

/**
 * The vectors of one (namespace, key parts) pair: a folder of append-only segment files plus index.json.
 * Segments are the truth: each is self-validating, written under a unique name (time, pid, random) and renamed into
 * place whole, never modified after. index.json is a summary derived from the folder's segments (the `cache` command
 * reads it; opening a store never trusts it), rebuilt under the folder's lock after every change.
 *
 * Several processes may write one store at once (docs/RELIABILITY.md): their segments never collide, the same text
 * gives the same key and vector whoever encoded it (a key held twice is served from either copy), each process
 * adopts the others' segments when it refreshes, and the index written last, listing under the lock, names every
 * segment. A segment removed meanwhile (discarded as corrupted by another process, `cache clear`) is a miss: its
 * vectors are encoded again.
 */
export class VectorStore {
  /** Segment files adopted, by name. */
  private readonly known = new Set<string>();

  private constructor(
    readonly dir: string,
    private readonly index: StoreIndex,
    private readonly locations: Locations,
  ) {}

  static async open(dir: string, namespace: string, parts: CacheKeyParts, dimension: number): Promise<VectorStore> {
    await mkdir(dir, { recursive: true });
    const store = new VectorStore(dir, { version: 1, namespace, parts, dimension, segments: [] }, new Locations());
    await removeDeadTempFiles(dir);
    await store.writeIndex(); // reads every segment's keys first
    return store;
  }

  /**
   * Catch up with the folder: adopt segments written since (by other processes, or by a killed one that did not
   * index them), discard corrupted ones, forget those removed.
   */
  async refresh(): Promise<void> {
    const names = (await readdir(this.dir).catch((err) => (missing(err) ? [] : Promise.reject(err)))).filter((n) => n.endsWith('.bin'));
    const present = new Set(names);
    for (const { file } of this.index.segments.filter((s) => !present.has(s.file))) this.forget(file);
    for (const file of names.filter((n) => !this.known.has(n)).sort()) {
      try {
        const keys = await readKeys(join(this.dir, file), this.index.dimension);
        keys.forEach((k, row) => this.locations.set(k, file, row));
        this.index.segments.push({ file, count: keys.length });
        this.known.add(file);
      } catch (err) {
        if (missing(err)) continue;
        if (!(err instanceof CorruptSegmentError)) throw err;
        await discard(join(this.dir, file), err.message);
      }
    }
  }

  /**
   * Copy cached vectors into `out` rows: `wanted` maps key -> output rows. Returns the keys served; a segment that
   * fails its checksum is discarded with a warning, and its keys are left out (the caller re-encodes them), as are
   * those of a segment removed meanwhile.
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
        if (err instanceof CorruptSegmentError) await discard(join(this.dir, file), err.message);
        else if (!missing(err)) throw err;
        this.forget(file);
        await this.writeIndex();
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
    this.known.add(file);
    await this.writeIndex();
  }

  /** A segment that is gone (or discarded): its vectors are misses from now on. */
  private forget(file: string): void {
    this.locations.dropFile(file);
    this.index.segments = this.index.segments.filter((s) => s.file !== file);
    this.known.delete(file);
  }

  /** Rewrite index.json from the folder as it is, under the folder's lock (see the class comment). */
  private writeIndex(): Promise<void> {
    const file = join(this.dir, INDEX_FILE);
    return withLock(file, async () => {
      await this.refresh();
      await writeFileAtomic(file, `${JSON.stringify(this.index, null, 1)}\n`);
    });
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


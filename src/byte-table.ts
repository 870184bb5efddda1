import { createHash } from 'node:crypto';

/**
 * A table of distinct byte strings, each given the next row number: the bytes of every entry in one growing
 * buffer, one end offset and one hash per entry, and an open-addressing hash index over them. About (key bytes +
 * 12 to 16) bytes per entry, all in typed arrays outside the V8 heap (a JS Map of strings costs 80 to 150 bytes
 * per entry inside it, and the heap is limited to a few GiB). Used for the doc ids of a corpus (src/datasets/
 * doc-table.ts) and for the keys of the embedding cache (src/embed/vector-store.ts).
 */
export class ByteTable {
  private bytes: Buffer = Buffer.alloc(1 << 16);
  private used = 0;
  /** ends[i]: where entry i's bytes end (entry i starts at ends[i - 1], or 0). */
  private ends: Uint32Array = new Uint32Array(1024);
  private hashes: Uint32Array = new Uint32Array(1024);
  private count = 0;
  /** Row + 1 per slot, 0 = empty; power-of-two size, at most half full. */
  private slots: Uint32Array = new Uint32Array(2048);

  get size(): number {
    return this.count;
  }

  /** Append `key` and return its row; a key already in the table is not added again (its row is returned). */
  addBytes(key: Uint8Array): number {
    const hash = fnv1a(key);
    const found = this.find(key, hash);
    if (found >= 0) return found;
    if (this.used + key.length > 0xffffffff) throw new RangeError('byte table: entries exceed 4 GiB');
    if (this.used + key.length > this.bytes.length) this.bytes = grow(this.bytes, this.used + key.length);
    if (this.count === this.ends.length) {
      this.ends = growU32(this.ends);
      this.hashes = growU32(this.hashes);
    }
    this.bytes.set(key, this.used);
    this.used += key.length;
    const row = this.count++;
    this.ends[row] = this.used;
    this.hashes[row] = hash;
    if (2 * this.count > this.slots.length) this.rehash();
    else this.place(row, hash);
    return row;
  }

  /** The row of `key`, or -1. */
  indexOfBytes(key: Uint8Array): number {
    return this.find(key, fnv1a(key));
  }

  /** Entry `row`'s bytes (a view: copy it to keep it past the next add). */
  bytesOf(row: number): Buffer {
    if (!(row >= 0 && row < this.count)) throw new RangeError(`byte table: row ${row} out of ${this.count}`);
    return this.bytes.subarray(this.start(row), this.ends[row]);
  }

  /** sha256 over every entry in row order, each followed by a newline. */
  sha256Lines(): string {
    const h = createHash('sha256');
    const newline = Buffer.from('\n');
    for (let row = 0; row < this.count; row++) h.update(this.bytes.subarray(this.start(row), this.ends[row])).update(newline);
    return h.digest('hex');
  }

  private start(row: number): number {
    return row === 0 ? 0 : this.ends[row - 1];
  }

  private find(key: Uint8Array, hash: number): number {
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s];
      if (entry === 0) return -1;
      const row = entry - 1;
      if (this.hashes[row] !== hash) continue;
      const start = this.start(row);
      if (this.ends[row] - start === key.length && this.bytes.compare(key, 0, key.length, start, this.ends[row]) === 0) return row;
    }
  }

  private place(row: number, hash: number): void {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = row + 1;
  }

  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    for (let row = 0; row < this.count; row++) this.place(row, this.hashes[row]);
  }
}

/** 32-bit FNV-1a: ids are short and not adversarial; cache keys are sha256 digests already. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function grow(buf: Buffer, need: number): Buffer {
  const out = Buffer.alloc(Math.max(need, buf.length * 2));
  buf.copy(out);
  return out;
}

function growU32(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length * 2);
  out.set(a);
  return out;
}

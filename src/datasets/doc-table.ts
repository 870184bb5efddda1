import { ByteTable } from '../byte-table.js';

/**
 * Doc ids in corpus order, held compactly (a ByteTable of their UTF-8 bytes): about (id bytes + 16) bytes per doc
 * outside the V8 heap, against about 80 for an array of JS strings plus a Set (docs/PERFORMANCE.md, "Large
 * corpora"). Row i is the i-th doc of the corpus stream and the i-th row of its passage vectors.
 */
export class DocTable {
  private readonly table = new ByteTable();
  private readonly scratch = Buffer.alloc(4096);

  get size(): number {
    return this.table.size;
  }

  /** Append an id and return its row; an id already in the table is not added again (its row is returned). */
  add(id: string): number {
    return this.table.addBytes(this.encode(id));
  }

  /** The row of `id`, or -1. */
  indexOf(id: string): number {
    return this.table.indexOfBytes(this.encode(id));
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  id(row: number): string {
    return this.table.bytesOf(row).toString('utf8');
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let row = 0; row < this.size; row++) yield this.id(row);
  }

  /** sha256 over every id in row order, each followed by a newline (the `sha256Lines` of the ids). */
  sha256(): string {
    return this.table.sha256Lines();
  }

  private encode(id: string): Buffer {
    // Ids are short: encode into a reused buffer; a long one gets its own.
    if (id.length * 3 > this.scratch.length) return Buffer.from(id, 'utf8');
    return this.scratch.subarray(0, this.scratch.write(id, 'utf8'));
  }
}

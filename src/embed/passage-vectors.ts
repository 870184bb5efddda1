/**
 * Passage vectors of a corpus in row order, read block by block: from the embedding cache's segment files
 * (`StoredVectors`, what a bench run uses, so a corpus's vectors are never one big matrix), or from a matrix already
 * in memory (`matrixVectors`, for scripts and tests).
 */
import { rm } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { PassageBlock } from '../search/exact-gemm.js';
import type { Matrix } from '../types.js';
import { KEY_BYTES } from './segment-file.js';
import type { VectorStore } from './vector-store.js';

export interface PassageVectors {
  readonly rows: number;
  readonly dim: number;
  /** Consecutive blocks of at most `maxRows` rows, in row order, each a fresh (or read-only) matrix. */
  blocks(maxRows: number): AsyncIterable<PassageBlock>;
  /** Release what the vectors hold (a temporary store is deleted). */
  dispose(): Promise<void>;
}

export function matrixVectors(matrix: Matrix): PassageVectors {
  return {
    rows: matrix.rows,
    dim: matrix.dim,
    async *blocks(maxRows: number) {
      for (let start = 0; start < matrix.rows; start += maxRows) {
        const rows = Math.min(maxRows, matrix.rows - start);
        yield { offset: start, matrix: { data: matrix.data.subarray(start * matrix.dim, (start + rows) * matrix.dim), rows, dim: matrix.dim } };
      }
    },
    async dispose() {},
  };
}

/**
 * Vectors held in a VectorStore: per row only its 32-byte cache key is kept in memory. A block is read by
 * opening each segment file that holds one of its rows once (checksum verified); the streamed encoder writes a
 * corpus window's vectors to neighbouring segments, so a block touches few files. Vectors the store lost since
 * they were encoded (a corrupted segment, discarded when read; a segment removed by another process) are handed
 * to `heal`, which encodes them again, and read once more.
 */
export class StoredVectors implements PassageVectors {
  constructor(
    private readonly store: VectorStore,
    /** Row i's key is bytes i*32 .. i*32+32. */
    private readonly rowKeys: Buffer,
    readonly rows: number,
    readonly dim: number,
    /** Encode the vectors of these keys (hex) again into the store. */
    private readonly heal: (keys: Set<string>) => Promise<void>,
    /**
     * A folder to delete on dispose (the temporary store of a run without a cache), and the release of its
     * removal on Ctrl-C (src/atomic-file.ts `removeOnSignal`).
     */
    private readonly owned: { dir: string; release: () => void } | null = null,
  ) {}

  async *blocks(maxRows: number): AsyncIterable<PassageBlock> {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`block rows must be a positive integer, got ${maxRows}`);
    for (let start = 0; start < this.rows; start += maxRows) yield await this.readBlock(start, maxRows);
  }

  private async readBlock(start: number, maxRows: number): Promise<PassageBlock> {
    const rows = Math.min(maxRows, this.rows - start);
    const wanted = new Map<string, number[]>();
    for (let r = 0; r < rows; r++) {
      const key = this.rowKeys.toString('hex', (start + r) * KEY_BYTES, (start + r + 1) * KEY_BYTES);
      const same = wanted.get(key);
      if (same) same.push(r);
      else wanted.set(key, [r]);
    }
    const data = new Float32Array(rows * this.dim);
    const served = await this.store.read(wanted, data);
    if (served.size < wanted.size) {
      const lost = new Map([...wanted].filter(([k]) => !served.has(k)));
      await this.heal(new Set(lost.keys()));
      for (const k of await this.store.read(lost, data)) served.add(k);
    }
    if (served.size !== wanted.size) {
      // Encoded again a moment ago and gone again: something keeps removing the cache folder's files.
      throw new UserError(
        `embedding cache ${this.store.dir}: ${wanted.size - served.size} vectors of rows ${start}..${start + rows - 1} were lost again right after being encoded again; is another process clearing the cache?`,
      );
    }
    return { offset: start, matrix: { data, rows, dim: this.dim } };
  }

  async dispose(): Promise<void> {
    if (!this.owned) return;
    await rm(this.owned.dir, { recursive: true, force: true });
    this.owned.release();
  }
}

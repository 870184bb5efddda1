import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

/**
 * One cache chunk on disk, self-validating so a torn or corrupted file is detected on read:
 *   0  "BBEC" | 4 u32 version | 8 u32 dim | 12 u32 count | 16 sha256 of bytes 48.. (32 bytes)
 *   48 count x 32-byte keys | then count x dim float32 (little-endian)
 */
const MAGIC = 'BBEC';
const VERSION = 1;
export const HEADER_BYTES = 48;
export const KEY_BYTES = 32;

if (endianness() !== 'LE') throw new Error('the embedding cache stores little-endian float32 and needs a little-endian CPU');

export interface SegmentHeader {
  dim: number;
  count: number;
}

export class CorruptSegmentError extends Error {}

export function encodeSegment(keys: Buffer[], vectors: Float32Array, dim: number): Buffer {
  const count = keys.length;
  if (vectors.length !== count * dim) throw new Error(`segment: ${count} keys but ${vectors.length / dim} vectors`);
  const body = Buffer.concat([...keys, Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength)]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'ascii');
  header.writeUInt32LE(VERSION, 4);
  header.writeUInt32LE(dim, 8);
  header.writeUInt32LE(count, 12);
  createHash('sha256').update(body).digest().copy(header, 16);
  return Buffer.concat([header, body]);
}

/** Parse and check the fixed header; `fileBytes` (when known) must match the size it implies. */
export function decodeHeader(buf: Buffer, fileBytes?: number): SegmentHeader {
  if (buf.length < HEADER_BYTES || buf.toString('ascii', 0, 4) !== MAGIC) throw new CorruptSegmentError('not a cache segment (bad magic)');
  if (buf.readUInt32LE(4) !== VERSION) throw new CorruptSegmentError(`unsupported segment version ${buf.readUInt32LE(4)}`);
  const header = { dim: buf.readUInt32LE(8), count: buf.readUInt32LE(12) };
  const expected = segmentBytes(header);
  if (fileBytes !== undefined && fileBytes !== expected) throw new CorruptSegmentError(`size ${fileBytes} bytes, header implies ${expected}`);
  return header;
}

export function segmentBytes({ dim, count }: SegmentHeader): number {
  return HEADER_BYTES + count * (KEY_BYTES + dim * 4);
}

/** The keys of a segment; `buf` needs only the header and key block. */
export function segmentKeys(buf: Buffer, { count }: SegmentHeader): Buffer[] {
  return Array.from({ length: count }, (_, i) => buf.subarray(HEADER_BYTES + i * KEY_BYTES, HEADER_BYTES + (i + 1) * KEY_BYTES));
}

/** Verify the checksum of a whole segment file and return its vectors (a copy, so alignment is guaranteed). */
export function segmentVectors(buf: Buffer): { header: SegmentHeader; vectors: Float32Array } {
  const header = decodeHeader(buf, buf.length);
  const sum = createHash('sha256').update(buf.subarray(HEADER_BYTES)).digest();
  if (!sum.equals(buf.subarray(16, 48))) throw new CorruptSegmentError('checksum mismatch');
  const start = HEADER_BYTES + header.count * KEY_BYTES;
  const vectors = new Float32Array(header.count * header.dim);
  Buffer.from(vectors.buffer).set(buf.subarray(start));
  return { header, vectors };
}

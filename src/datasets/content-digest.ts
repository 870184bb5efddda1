/**
 * A dataset file identified by the records it holds, not by its bytes: the same records give the same digest
 * whatever their line order, line endings, BOM, JSON key order, whitespace or string escapes, so the official
 * BEIR zips and a copy rebuilt in another order pin the same value. docs/DATASETS.md ("Content digests") is the
 * specification:
 *
 *   digest = sha256( sort( sha256(canonical record) for every record ) ), the 32-byte record digests sorted
 *            bytewise and concatenated, so repeated records count as often as they occur.
 *   JSON lines (corpus.jsonl, queries.jsonl): a record is one JSON object, every field of it (metadata too),
 *            canonical form RFC 8785 (JSON Canonicalization Scheme: keys sorted, no whitespace, ECMAScript
 *            number and string serialisation), UTF-8.
 *   Qrels (qrels/<split>.tsv): the header is skipped; a record is one row, canonical form
 *            `query-id TAB corpus-id TAB grade` with the grade as a decimal integer, UTF-8.
 */
import { createHash, hash } from 'node:crypto';
import { readJsonLines } from '../formats/jsonl.js';
import { forEachQrelsRow } from '../formats/qrels-file.js';

/** A file's content digest, built record by record (in any order) and computed once at the end. */
export class ContentDigest {
  /** Each record's sha256, 32 bytes apiece. */
  private buf = Buffer.alloc(32 * 1024);
  private count = 0;

  /** A JSON-lines record (a corpus doc, a query): every field, canonical form. */
  addJson(value: unknown): void {
    this.add(canonicalJson(value));
  }

  /** A qrels row. */
  addQrelsRow(queryId: string, docId: string, grade: number): void {
    this.add(`${queryId}\t${docId}\t${grade}`);
  }

  private add(canonical: string): void {
    if ((this.count + 1) * 32 > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown);
      this.buf = grown;
    }
    hash('sha256', canonical, 'buffer').copy(this.buf, this.count * 32);
    this.count++;
  }

  /** sha256 over the record digests in ascending byte order (sorted by their first 4 bytes, ties by all 32). */
  digest(): string {
    const { buf, count } = this;
    const prefix = new Uint32Array(count);
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      prefix[i] = buf.readUInt32BE(i * 32);
      order[i] = i;
    }
    // buf.compare(target, tStart, tEnd, sStart, sEnd) compares the source range (a's) with the target range (b's).
    order.sort((a, b) => prefix[a] - prefix[b] || buf.compare(buf, b * 32, b * 32 + 32, a * 32, a * 32 + 32));
    const hash = createHash('sha256');
    for (const i of order) hash.update(buf.subarray(i * 32, i * 32 + 32));
    return hash.digest('hex');
  }
}

/** RFC 8785: object keys in UTF-16 code unit order (JavaScript's default sort), values as JSON.stringify writes them. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Content digest of a JSON-lines file (queries.jsonl; the corpus's is computed by its scan, src/datasets/corpus.ts). */
export async function jsonLinesContentDigest(path: string, what: string): Promise<string> {
  const digest = new ContentDigest();
  for await (const line of readJsonLines(path, what)) digest.addJson(line.value);
  return digest.digest();
}

/** Content digest of a BEIR qrels TSV. */
export async function qrelsContentDigest(path: string): Promise<string> {
  const digest = new ContentDigest();
  await forEachQrelsRow(path, { format: 'beir' }, (q, d, grade) => digest.addQrelsRow(q, d, grade));
  return digest.digest();
}

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
import { createHash } from 'node:crypto';
import { readJsonLines } from '../formats/jsonl.js';
import { forEachQrelsRow } from '../formats/qrels-file.js';

/** Digests of the records seen so far; sorted and hashed once at the end. */
class RecordDigests {
  private buf = Buffer.alloc(32 * 1024);
  private count = 0;

  add(canonical: string): void {
    if ((this.count + 1) * 32 > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown);
      this.buf = grown;
    }
    createHash('sha256').update(canonical, 'utf8').digest().copy(this.buf, this.count * 32);
    this.count++;
  }

  digest(): string {
    const { buf } = this;
    const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => buf.compare(buf, a * 32, a * 32 + 32, b * 32, b * 32 + 32));
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

/** Content digest of a JSON-lines file (corpus.jsonl, queries.jsonl). */
export async function jsonLinesContentDigest(path: string, what: string): Promise<string> {
  const records = new RecordDigests();
  for await (const line of readJsonLines(path, what)) records.add(canonicalJson(line.value));
  return records.digest();
}

/** Content digest of a BEIR qrels TSV. */
export async function qrelsContentDigest(path: string): Promise<string> {
  const records = new RecordDigests();
  await forEachQrelsRow(path, { format: 'beir' }, (q, d, grade) => records.add(`${q}\t${d}\t${grade}`));
  return records.digest();
}

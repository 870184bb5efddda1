/**
 * Content digests and slices do not depend on how a file is laid out: the same records in another line order,
 * with other line endings, key order or escapes give the same digest and the same slice; another record does not.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, jsonLinesContentDigest, qrelsContentDigest } from '../../src/datasets/content-digest.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { readMatrix } from '../../src/regress/matrix.js';
import { reorderedCopy } from '../helpers/reordered-dataset.js';
import { REPO_ROOT, describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-content-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('content digest', () => {
  it('canonical JSON (RFC 8785): keys sorted at every depth, no whitespace, one spelling per string', () => {
    expect(canonicalJson(JSON.parse('{ "text": "caf\\u00e9", "_id": 7, "metadata": {"b": [1, 2.50, {"z": null, "a": true}], "a": ""} }'))).toBe(
      '{"_id":7,"metadata":{"a":"","b":[1,2.5,{"a":true,"z":null}]},"text":"café"}',
    );
  });

  it('JSON lines: the same records in another order, CRLF, BOM, key order, escapes or blank lines give one digest', async () => {
    const a = await file('a.jsonl', '{"_id":"d1","title":"T","text":"café"}\n{"_id":"d2","text":"x"}\n');
    const b = await file('b.jsonl', '\ufeff{"text": "x", "_id": "d2"}\r\n\r\n{ "text": "caf\\u00e9", "title": "T", "_id": "d1" }\r\n');
    const digest = await jsonLinesContentDigest(a, 'corpus');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await jsonLinesContentDigest(b, 'corpus')).toBe(digest);
    // A changed character, a missing record, a repeated record, a changed metadata field: each is other content.
    const others = [
      '{"_id":"d1","title":"T","text":"cafe"}\n{"_id":"d2","text":"x"}\n',
      '{"_id":"d1","title":"T","text":"café"}\n',
      '{"_id":"d1","title":"T","text":"café"}\n{"_id":"d2","text":"x"}\n{"_id":"d2","text":"x"}\n',
      '{"_id":"d1","title":"T","text":"café","metadata":{}}\n{"_id":"d2","text":"x"}\n',
    ];
    for (const [i, text] of others.entries()) expect(await jsonLinesContentDigest(await file(`other${i}.jsonl`, text), 'corpus')).not.toBe(digest);
  });

  it('is sha256 over the records\' sha256 in ascending byte order, as the specification says (computed here independently)', async () => {
    // Enough records that many share their first bytes: the order must hold beyond any prefix.
    const records = Array.from({ length: 3000 }, (_, i) => ({ _id: `d${i}`, text: `text ${i % 7}` }));
    const path = await file('spec.jsonl', records.map((r) => JSON.stringify(r)).join('\n'));
    const sha = (data: string | Buffer) => createHash('sha256').update(data).digest();
    const sorted = records.map((r) => sha(`{"_id":${JSON.stringify(r._id)},"text":${JSON.stringify(r.text)}}`).toString('hex')).sort();
    expect(await jsonLinesContentDigest(path, 'corpus')).toBe(sha(Buffer.concat(sorted.map((h) => Buffer.from(h, 'hex')))).toString('hex'));
  });

  it('qrels: rows in any order, CRLF, another header spelling give one digest; a changed grade does not', async () => {
    const a = await qrelsContentDigest(await file('a.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\n'));
    expect(await qrelsContentDigest(await file('b.tsv', 'qid\tdocid\trel\r\nq2\td2\t+2\r\nq1\td1\t1\r\n'))).toBe(a);
    expect(await qrelsContentDigest(await file('c.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n'))).not.toBe(a);
  });
});

describeWithShared('real BEIR files rebuilt in another order (as the official zips are laid out)', () => {
  const matrixFile = join(REPO_ROOT, 'regressions', 'beir-e5-small-v2.yaml');

  it.each(['nfcorpus', 'scifact'])(
    '%s: same content digests as the ../shared copy and the project matrix, other byte sha256; slices pick the same records',
    async (name) => {
      const copy = join(dir, `${name}-reordered`);
      await reorderedCopy(join(SHARED_BEIR, name), copy);
      const matrix = await readMatrix(matrixFile);
      for (const slice of [{}, { maxQueries: 20, maxDocs: 300 }, { maxQueries: 5, maxDocs: 200 }]) {
        const [shared, reordered] = await Promise.all([
          loadDataset(name, join(SHARED_BEIR, name), { split: 'test', ...slice }),
          loadDataset(name, copy, { split: 'test', ...slice }),
        ]);
        for (const f of Object.keys(shared.files)) {
          expect(reordered.files[f].contentDigest).toBe(shared.files[f].contentDigest);
          expect(reordered.files[f].sha256).not.toBe(shared.files[f].sha256);
          // What the project's matrix pins for this dataset is what both layouts hold.
          for (const entry of matrix.datasets.filter((d) => d.dataset === name)) expect(entry.inputs?.content?.[f]).toBe(shared.files[f].contentDigest);
        }
        expect(new Set(reordered.queries.map((q) => q.id))).toEqual(new Set(shared.queries.map((q) => q.id)));
        expect(new Set(reordered.corpus.ids)).toEqual(new Set(shared.corpus.ids));
        expect(reordered.corpus.size).toBe(shared.corpus.size);
        expect(reordered.textWords.reduce((a, b) => a + b, 0)).toBe(shared.textWords.reduce((a, b) => a + b, 0));
      }
    },
    120_000,
  );
});

import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCorpus } from '../../src/datasets/corpus.js';
import { DocTable } from '../../src/datasets/doc-table.js';
import { UserError } from '../../src/errors.js';
import { sha256Lines } from '../../src/retrieval/resources.js';
import { docsOf } from '../helpers/corpus.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function corpusFile(lines: object[]): Promise<{ path: string; bytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'beir-bench-corpus-'));
  dirs.push(dir);
  const path = join(dir, 'corpus.jsonl');
  await writeFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return { path, bytes: (await stat(path)).size };
}

describe('DocTable', () => {
  it('keeps ids in insertion order, finds them, and refuses nothing but repeats', () => {
    const t = new DocTable();
    const ids = ['d1', '2', '', 'é-ünïcödé', '𝔘𝔫𝔦', 'a'.repeat(5000)];
    ids.forEach((id, i) => expect(t.add(id)).toBe(i));
    expect(t.add('2')).toBe(1);
    expect(t.size).toBe(ids.length);
    expect([...t]).toEqual(ids);
    ids.forEach((id, i) => expect(t.indexOf(id)).toBe(i));
    expect(t.indexOf('d2')).toBe(-1);
    expect(t.has('𝔘𝔫𝔦')).toBe(true);
  });

  it('grows past its first buffers and rehashes without losing an id; sha256 equals sha256Lines of the ids', () => {
    const t = new DocTable();
    const ids = Array.from({ length: 50_000 }, (_, i) => `doc-${(i * 7919) % 100_003}-${'x'.repeat(i % 13)}`);
    for (const id of ids) t.add(id);
    expect(t.size).toBe(new Set(ids).size);
    for (let i = 0; i < ids.length; i += 997) expect(t.id(t.indexOf(ids[i]))).toBe(ids[i]);
    expect(t.sha256()).toBe(sha256Lines([...new Set(ids)]));
    expect(() => t.id(t.size)).toThrow(RangeError);
  });
});

describe('scanCorpus and the corpus stream', () => {
  it('streams the kept docs in row order: a repeated id at its first position with its last content', async () => {
    const { path, bytes } = await corpusFile([
      { _id: 'a', text: 'old text' },
      { _id: 'b', title: 'T', text: 'b b b' },
      { _id: 'a', text: 'new' },
      { _id: 7, text: 'numeric id' },
    ]);
    const scan = await scanCorpus(path, bytes, { lookFor: new Set(['b', 'zz']) });
    expect([...scan.corpus.ids]).toEqual(['a', 'b', '7']);
    expect(await docsOf(scan.corpus)).toEqual([
      { id: 'a', title: '', text: 'new' },
      { id: 'b', title: 'T', text: 'b b b' },
      { id: '7', title: '', text: 'numeric id' },
    ]);
    // The stream can be read again, as often as a run needs it.
    expect((await docsOf(scan.corpus)).length).toBe(3);
    expect(Array.from(scan.textWords)).toEqual([1, 3, 2]);
    expect(scan.distinctDocs).toBe(3);
    expect([...scan.found]).toEqual(['b']);
    expect(scan.corpus.fileBytes).toBe(bytes);
  });

  it('keeps only the docs of a slice, in corpus order, and counts the distinct ids of the whole file', async () => {
    const { path, bytes } = await corpusFile(['a', 'b', 'c', 'd', 'b', 'e'].map((id) => ({ _id: id, text: id })));
    const scan = await scanCorpus(path, bytes, { only: new Set(['d', 'a', 'zz']) });
    expect([...scan.corpus.ids]).toEqual(['a', 'd']);
    expect((await docsOf(scan.corpus)).map((d) => d.id)).toEqual(['a', 'd']);
    expect(scan.distinctDocs).toBe(5);
  });

  it('a corpus.jsonl changed after the scan is a UserError, not a shifted run', async () => {
    const { path, bytes } = await corpusFile([{ _id: 'a', text: 'x' }, { _id: 'b', text: 'y' }]);
    const scan = await scanCorpus(path, bytes);
    await writeFile(path, `${JSON.stringify({ _id: 'b', text: 'y' })}\n${JSON.stringify({ _id: 'a', text: 'x' })}\n`);
    const err = await docsOf(scan.corpus).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${path} changed while the run was reading it (record 1 is doc "b"); re-run on an unchanged corpus`);
    await writeFile(path, `${JSON.stringify({ _id: 'a', text: 'x' })}\n`);
    await expect(docsOf(scan.corpus)).rejects.toThrow('(1 of 2 docs found)');
  });
});

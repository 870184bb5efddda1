/**
 * A BEIR folder of "the user's own", built from real data: the SciFact slice `--max-queries Q --max-docs D` picks
 * (src/datasets/slice.ts), written as a folder of its own with its own queries file (only the slice's queries), so a
 * run on the folder and a run on the registry dataset's slice score the same records.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDataset } from '../../src/datasets/loaders.js';
import { SHARED_BEIR } from './shared.js';

export interface SliceOf {
  maxQueries: number;
  maxDocs: number;
}

export interface OwnFolderOptions {
  /** Write corpus.jsonl.gz and queries.jsonl.gz instead of the plain files. */
  gzip?: boolean;
}

/** Write the SciFact slice into `dest` (corpus.jsonl, queries.jsonl, qrels/test.tsv); returns its sizes. */
export async function scifactSliceFolder(dest: string, slice: SliceOf, opts: OwnFolderOptions = {}): Promise<{ docs: number; queries: number }> {
  const ds = await loadDataset('scifact', join(SHARED_BEIR, 'scifact'), { split: 'test', ...slice });
  const docs: string[] = [];
  for await (const d of ds.corpus.stream()) docs.push(JSON.stringify({ _id: d.id, title: d.title, text: d.text }));
  const queries = ds.queries.map((q) => JSON.stringify({ _id: q.id, text: q.text }));
  const qrels = [...ds.qrels].flatMap(([q, judged]) => [...judged].map(([d, grade]) => `${q}\t${d}\t${grade}`));
  await writeFolder(dest, { 'corpus.jsonl': lines(docs), 'queries.jsonl': lines(queries), 'qrels/test.tsv': lines(['query-id\tcorpus-id\tscore', ...qrels]) }, opts);
  return { docs: docs.length, queries: queries.length };
}

/** Write a BEIR folder's files (by path in the folder); with `gzip`, the JSONL files compressed as `<file>.gz`. */
export async function writeFolder(dest: string, files: Record<string, string>, opts: OwnFolderOptions = {}): Promise<void> {
  await mkdir(join(dest, 'qrels'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    if (opts.gzip && file.endsWith('.jsonl')) await writeFile(join(dest, `${file}.gz`), gzipSync(text));
    else await writeFile(join(dest, file), text);
  }
}

const lines = (items: string[]) => `${items.join('\n')}\n`;

/**
 * A reproducible synthetic BEIR dataset on disk, for runs at scale: <out>/<name>/corpus.jsonl, queries.jsonl and
 * qrels/test.tsv, from --seed (same seed and sizes, same bytes). Docs are drawn as scripts/lib/synthetic-text.ts
 * describes (TREC-COVID-like text, about 1.15 KB of JSON per doc). Each query is made from one doc, its only
 * relevant doc (grade 1): 3 to 8 of that doc's words plus 1 to 3 words drawn from the whole vocabulary, so BM25
 * and the evaluation have something to find.
 *
 * `--name` names the folder: any name is a dataset of your own (`--dataset DIR/NAME`); a registry name (e.g. trec-covid
 * for 171,332 docs, nq for 2,000,000) read with `--data-dir DIR` is told apart from the registry's by its counts, so
 * the run says it is not that dataset and compares it with nothing of the registry's.
 * The folder appears whole or not at all (written under a temp name, renamed at the end; Ctrl-C removes it).
 *
 * Usage: npx tsx scripts/make-corpus.ts --out DIR [--name trec-covid] [--docs 171332] [--queries 1000] [--seed 1]
 *   e.g. npx tsx scripts/make-corpus.ts --out /tmp/synth --name synth-1m --docs 1000000
 *   then npx tsx src/cli.ts stats --dataset /tmp/synth/synth-1m
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { withTempPath } from '../src/atomic-file.js';
import { DATASET_NAME } from '../src/datasets/source.js';
import { Prng } from '../src/eval/prng.js';
import { startProgress } from '../src/progress.js';
import { SyntheticText } from './lib/synthetic-text.js';

const args = await yargs(hideBin(process.argv))
  .option('out', { type: 'string', demandOption: true, describe: 'Folder receiving <name>/ (a BEIR folder for --data-dir)' })
  .option('name', { type: 'string', default: 'trec-covid', describe: 'Name of the folder (a dataset name: letters, digits and + . _ -)' })
  .option('docs', { type: 'number', default: 171_332, describe: 'Corpus documents' })
  .option('queries', { type: 'number', default: 1000, describe: 'Test queries (each with one relevant doc)' })
  .option('seed', { type: 'number', default: 1, describe: 'Seed of every draw' })
  .check((a) => {
    for (const k of ['docs', 'queries', 'seed'] as const) if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
    if (a.queries > a.docs) throw new Error('--queries cannot exceed --docs (one relevant doc per query)');
    if (!DATASET_NAME.test(a.name)) throw new Error(`--name ${a.name}: letters, digits and + . _ - only`);
    return true;
  })
  .strict()
  .parseAsync();

/** Write a line, waiting when the stream's buffer is full (so memory holds a buffer, not the corpus). */
async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

const dir = join(args.out, args.name);
const docsRng = new Prng(args.seed);
const queryRng = new Prng(args.seed ^ 0x5eed);
const text = new SyntheticText(docsRng);
// Which docs the queries are made from: distinct, spread over the corpus, in doc order.
const targets = new Map<number, number>();
while (targets.size < args.queries) {
  const d = queryRng.nextInt(args.docs);
  if (!targets.has(d)) targets.set(d, targets.size);
}
const queries: string[] = new Array(args.queries);
const docId = (i: number) => `doc-${String(i).padStart(8, '0')}`;

await withTempPath(dir, async (tmp) => {
  await mkdir(join(tmp, 'qrels'), { recursive: true });
  const corpus = createWriteStream(join(tmp, 'corpus.jsonl'));
  const progress = startProgress({ label: `${args.name} corpus`, total: args.docs, unit: 'docs' });
  try {
    for (let i = 0; i < args.docs; i++) {
      const words = text.docWords();
      const q = targets.get(i);
      if (q !== undefined) {
        const own = Array.from({ length: 3 + queryRng.nextInt(6) }, () => words[queryRng.nextInt(words.length)]);
        const noise = text.docWords().slice(0, 1 + queryRng.nextInt(3));
        queries[q] = [...own, ...noise].join(' ');
      }
      const d = text.doc(docId(i), words);
      await writeLine(corpus, JSON.stringify({ _id: d.id, title: d.title, text: d.text }));
      progress.tick(1);
    }
  } finally {
    progress.stop();
  }
  await close(corpus);

  const queriesOut = createWriteStream(join(tmp, 'queries.jsonl'));
  const qrels = createWriteStream(join(tmp, 'qrels', 'test.tsv'));
  await writeLine(qrels, 'query-id\tcorpus-id\tscore');
  for (const [doc, q] of [...targets].sort((a, b) => a[1] - b[1])) {
    await writeLine(queriesOut, JSON.stringify({ _id: `q${q}`, text: queries[q] }));
    await writeLine(qrels, `q${q}\t${docId(doc)}\t1`);
  }
  await Promise.all([close(queriesOut), close(qrels)]);
  // A corpus generated again under the same name replaces the earlier one (same arguments, same files).
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
});
const bytes = (await stat(join(dir, 'corpus.jsonl'))).size;
console.log(`${dir}: ${args.docs.toLocaleString('en-US')} docs (corpus.jsonl ${(bytes / 2 ** 20).toFixed(0)} MiB), ${args.queries} queries, seed ${args.seed}`);

/**
 * Validation of a BEIR folder of the user's (docs/DATASETS.md "Your own data"): each defect in a real file (a SciFact
 * slice written as a folder, then broken one way) is one line naming the file, the line and the field, and the run
 * writes nothing. A registry name given to a folder that is not that dataset says so and gets none of its facts.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { benchCommand } from '../../src/commands/bench.js';
import { statsCommand } from '../../src/commands/stats.js';
import { loadDataset, textBytes } from '../../src/datasets/loaders.js';
import { UserError } from '../../src/errors.js';
import { readResults } from '../../src/results/read-results.js';
import { runCli } from '../helpers/cli.js';
import { scifactSliceFolder } from '../helpers/own-folder.js';
import { reorderedCopy } from '../helpers/reordered-dataset.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';

/** Run one command in-process; returns what it wrote to stdout. Failures reject (no process exit). */
async function run(command: { command?: unknown }, args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await yargs(args).command(command as CommandModule).strict().fail((msg, e) => { throw e ?? new Error(msg); }).parseAsync();
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

type Files = Record<'corpus' | 'queries' | 'qrels', string[]>;

describe.skipIf(!hasSharedBeir())('validating a folder of your own (real SciFact records, one defect each)', () => {
  let work: string;
  let base: string;
  let files: Files;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-own-validation-'));
    base = join(work, 'base');
    await scifactSliceFolder(base, { maxQueries: 5, maxDocs: 40 });
    const read = async (f: string) => (await readFile(join(base, f), 'utf8')).split('\n').filter((l) => l !== '');
    files = { corpus: await read('corpus.jsonl'), queries: await read('queries.jsonl'), qrels: await read('qrels/test.tsv') };
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A copy of the base folder with `edit` applied to its files' lines. */
  async function broken(name: string, edit: (f: Files) => void): Promise<string> {
    const dir = join(work, name);
    await cp(base, dir, { recursive: true });
    const f: Files = { corpus: [...files.corpus], queries: [...files.queries], qrels: [...files.qrels] };
    edit(f);
    await writeFile(join(dir, 'corpus.jsonl'), `${f.corpus.join('\n')}\n`);
    await writeFile(join(dir, 'queries.jsonl'), `${f.queries.join('\n')}\n`);
    await writeFile(join(dir, 'qrels', 'test.tsv'), `${f.qrels.join('\n')}\n`);
    return dir;
  }

  const idOf = (line: string) => (JSON.parse(line) as { _id: string })._id;
  const without = (line: string, key: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line)).filter(([k]) => k !== key)));

  /** bench on the folder: the UserError's message (one line), and nothing under --out. */
  async function benchError(dir: string, ...extra: string[]): Promise<string> {
    const out = join(work, `out-${dir.split('/').pop()}`);
    const err = await run(benchCommand, ['bench', '--dataset', `own=${dir}`, '--arms', 'bm25', '--out', out, '--quiet', '--permutations', '100', ...extra]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(await readdir(out).catch(() => [])).toEqual([]);
    return message;
  }

  it.each<[string, (f: Files) => void, (dir: string, f: Files) => string | RegExp]>([
    ['a malformed line', (f) => { f.corpus[2] = f.corpus[2].slice(0, 30); }, (d) => new RegExp(`^${d}/corpus\\.jsonl:3: malformed JSON line \\(.+\\)$`)],
    ['a document without _id', (f) => { f.corpus[1] = without(f.corpus[1], '_id'); }, (d) => `${d}/corpus.jsonl:2: field "_id" must be a non-empty string or a number, got nothing`],
    ['a document without text', (f) => { f.corpus[4] = without(f.corpus[4], 'text'); }, (d) => `${d}/corpus.jsonl:5: field "text" must be a string, got nothing`],
    ['a query without text', (f) => { f.queries[3] = without(f.queries[3], 'text'); }, (d) => `${d}/queries.jsonl:4: field "text" must be a string, got nothing`],
    [
      'a repeated document id',
      (f) => { f.corpus.push(f.corpus[0]); },
      (d, f) => `${d}/corpus.jsonl:${f.corpus.length + 1}: field "_id": document id "${idOf(f.corpus[0])}" is repeated (an earlier line has it); give each document one line`,
    ],
    [
      'a repeated query id',
      (f) => { f.queries.push(f.queries[1]); },
      (d, f) => `${d}/queries.jsonl:${f.queries.length + 1}: field "_id": query id "${idOf(f.queries[1])}" is repeated (an earlier line has it); give each query one line`,
    ],
    ['a non-integer grade', (f) => { f.qrels[1] = f.qrels[1].replace(/\t1$/, '\t1.5'); }, (d) => `${d}/qrels/test.tsv:2: relevance grade must be an integer, got "1.5" (field "score")`],
    [
      'qrels naming a query absent from queries.jsonl',
      (f) => { f.queries.shift(); },
      (d, f) => {
        const q = idOf(f.queries[0]);
        const line = f.qrels.findIndex((l) => l.startsWith(`${q}\t`)) + 1;
        return `${d}/qrels/test.tsv:${line}: field "query-id": query "${q}" is not in ${d}/queries.jsonl`;
      },
    ],
    [
      'no relevant document at all',
      (f) => { f.qrels = f.qrels.map((l, i) => (i === 0 ? l : l.replace(/\t\d+$/, '\t0'))); },
      (d) => `${d}/qrels/test.tsv: field "score": no row judges a document relevant (grade >= 1), so every query of the test split would score 0; give each query at least one relevant document`,
    ],
  ])('%s: one line naming file, line and field; nothing written', async (name, edit, expected) => {
    const dir = await broken(name.replace(/\W+/g, '-'), edit);
    const message = await benchError(dir);
    const want = expected(dir, files);
    if (typeof want === 'string') expect(message).toBe(want);
    else expect(message).toMatch(want);
    // stats reads the same files through the same checks.
    await expect(run(statsCommand, ['stats', '--dataset', `own=${dir}`])).rejects.toThrow(message);
  });

  it('a split with no qrels file names the splits there are', async () => {
    const message = await benchError(base, '--split', 'dev');
    expect(message).toBe(`qrels/dev.tsv not found in ${base}: ${base}/qrels/dev.tsv is missing (splits available: test; pick one with --split)`);
  });

  it('a cut-off .gz names the file', async () => {
    const dir = join(work, 'truncated-gz');
    await cp(base, dir, { recursive: true });
    const gz = gzipSync(await readFile(join(base, 'corpus.jsonl')));
    await rm(join(dir, 'corpus.jsonl'));
    await writeFile(join(dir, 'corpus.jsonl.gz'), gz.subarray(0, gz.length >> 1));
    expect(await benchError(dir)).toBe(`cannot read corpus file ${dir}/corpus.jsonl.gz: not a whole gzip file (unexpected end of file)`);
  });

  it('a .gz corpus is estimated by its text, not its compressed size (memory checks)', async () => {
    const dir = join(work, 'gz');
    await cp(base, dir, { recursive: true });
    const plain = await readFile(join(base, 'corpus.jsonl'));
    await writeFile(join(dir, 'corpus.jsonl.gz'), gzipSync(plain));
    await rm(join(dir, 'corpus.jsonl'));
    expect(await textBytes(join(dir, 'corpus.jsonl.gz'))).toBe(plain.length);
    const ds = await loadDataset('gz', dir, { split: 'test', repeatedIds: 'error' });
    expect(ds.corpus.fileBytes).toBe(plain.length);
    expect(ds.files['corpus.jsonl'].contentDigest).toBe((await loadDataset('plain', base, { split: 'test' })).files['corpus.jsonl'].contentDigest);
  });

  it('qrels naming a document absent from the corpus: counted and reported as BEIR does, not an error', async () => {
    let gone = '';
    const dir = await broken('missing-doc', (f) => {
      const [, docId] = f.qrels[1].split('\t');
      gone = docId;
      f.corpus = f.corpus.filter((l) => idOf(l) !== docId);
    });
    const out = join(work, 'out-missing-doc');
    await run(benchCommand, ['bench', '--dataset', `own=${dir}`, '--arms', 'bm25', '--out', out, '--quiet', '--permutations', '100']);
    const [runId] = await readdir(out);
    const results = await readResults(join(out, runId, 'results.json'));
    expect(results.datasets[0].qrelsDocsMissingFromCorpus).toEqual({ rows: 1, docIds: 1, examples: [gone] });
    expect(await readFile(join(out, runId, 'report.md'), 'utf8')).toContain(`1 qrels rows name 1 doc ids absent from the corpus (e.g. ${gone})`);
  });

  it('the CLI prints the message as one line and exits 2', async () => {
    const dir = await broken('cli-dup', (f) => { f.corpus.push(f.corpus[0]); });
    const out = join(work, 'out-cli');
    const r = await runCli(['bench', '--dataset', `own=${dir}`, '--arms', 'bm25', '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${dir}/corpus.jsonl:${files.corpus.length + 1}: field "_id": document id`);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  describe('a registry name given to a folder', () => {
    const statsOf = async (args: string[]) => JSON.parse(await run(statsCommand, ['stats', ...args, '--format', 'json'])).datasets[0];

    it('that is not that dataset (other counts) says so and is compared with none of its facts', async () => {
      const s = await statsOf(['--dataset', `scifact=${base}`]);
      expect(s.displayName).toBe('scifact');
      expect(s.notes).toEqual([
        `${base} is named scifact but is not SciFact (40 passages, SciFact has 5183; 5 test queries, SciFact has 300): ` +
          "the registry's md5, published scores and article row are not applied to it",
      ]);
      // bench records it so: no md5, registry false, the reason.
      const out = join(work, 'out-named-scifact');
      await run(benchCommand, ['bench', '--dataset', `scifact=${base}`, '--arms', 'bm25', '--out', out, '--quiet', '--permutations', '100']);
      const results = await readResults(join(out, (await readdir(out))[0], 'results.json'));
      expect(results.datasets[0]).toMatchObject({ name: 'scifact', displayName: 'scifact', source: { given: `scifact=${base}`, origin: 'folder', registry: false } });
      expect(results.datasets[0].officialZipMd5).toBeUndefined();
      expect(results.datasets[0].source?.mismatch).toContain('is not SciFact');
    });

    it('with SciFact\'s counts but other records (one passage edited), found by the content digest, as --data-dir too', async () => {
      const parent = join(work, 'edited');
      const dir = join(parent, 'scifact');
      await reorderedCopy(join(SHARED_BEIR, 'scifact'), dir);
      const lines = (await readFile(join(dir, 'corpus.jsonl'), 'utf8')).split('\r\n');
      lines[0] = JSON.stringify({ ...JSON.parse(lines[0]), text: 'edited' });
      await writeFile(join(dir, 'corpus.jsonl'), lines.join('\r\n'));
      for (const args of [['--dataset', `scifact=${dir}`], ['--data-dir', parent, '--dataset', 'scifact']]) {
        const s = await statsOf(args);
        expect(s.displayName).toBe('scifact');
        expect(s.notes[0]).toMatch(new RegExp(`^${dir} is named scifact but is not SciFact \\(corpus\\.jsonl content digest [0-9a-f]{12}…, SciFact's is 281917d4a789…\\)`));
      }
    });

    it('that is that dataset in another layout: identified, the registry\'s facts apply', async () => {
      const dir = join(work, 'relaid');
      await reorderedCopy(join(SHARED_BEIR, 'scifact'), dir);
      const s = await statsOf(['--dataset', `scifact=${dir}`]);
      expect(s).toMatchObject({ name: 'scifact', displayName: 'SciFact', notes: [] });
    });
  });
});

it('the README\'s "Your own data" command works from a clean clone (the repository\'s tiny folder, BM25)', async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Your own data'));
  const command = /^npm run cli -- (bench --dataset tiny=\S+ --arms bm25)$/m.exec(section)?.[1];
  expect(command).toBeDefined();
  const out = await mkdtemp(join(tmpdir(), 'beir-bench-readme-own-'));
  try {
    const r = await runCli([...command!.split(' '), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ tiny +│ POOR │ NDCG@10 +│ 1\.0000 │/);
    expect(r.stdout).toContain('tiny is a BEIR folder of your own (--dataset tiny=test/fixtures/beir-tiny/scifact)');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

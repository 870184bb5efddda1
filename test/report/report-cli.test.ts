import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as cli } from '../helpers/cli.js';
import { hasSharedBeir, REPO_ROOT, SHARED_BEIR } from '../helpers/shared.js';

const TINY = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');

let out: string;
/** Real bench runs (BM25: no model needed): SciFact and NFCorpus from the shared data, SciFact from the tiny fixture. */
const runs: Record<'scifact' | 'nfcorpus' | 'tiny', string> = { scifact: '', nfcorpus: '', tiny: '' };

async function bench(name: keyof typeof runs, dataset: string, dataDir: string): Promise<string> {
  const dest = join(out, 'runs', name);
  const r = await cli(['bench', '--dataset', dataset, '--data-dir', dataDir, '--arms', 'bm25', '--out', dest, '--quiet', '--permutations', '200']);
  expect(r.code, r.stderr).toBe(0);
  const [id] = await readdir(dest);
  return join(dest, id);
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'beir-bench-report-cli-'));
  runs.tiny = await bench('tiny', 'scifact', TINY);
  if (hasSharedBeir()) {
    runs.scifact = await bench('scifact', 'scifact', SHARED_BEIR);
    runs.nfcorpus = await bench('nfcorpus', 'nfcorpus', SHARED_BEIR);
  }
}, 300_000);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** A failure as the issue asks: exit 2, one `error:` line, nothing written. */
async function expectOneLineError(args: string[], message: RegExp): Promise<void> {
  const dest = join(out, `never-${Math.random().toString(36).slice(2)}`);
  const r = await cli(['report', ...args, '--format', 'html', '--out', dest]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(message);
  expect(existsSync(dest)).toBe(false);
  expect((await readdir(out)).filter((e) => e.startsWith('.'))).toEqual([]);
}

describe('beir-bench report: bad inputs', () => {
  it('a missing file', async () => {
    await expectOneLineError([runs.tiny, join(out, 'nope', 'results.json')], /cannot read .*nope\/results\.json: ENOENT/);
  });

  it('a truncated JSON file', async () => {
    const text = await readFile(join(runs.tiny, 'results.json'), 'utf8');
    const file = join(out, 'truncated.json');
    await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
    await expectOneLineError([file], /truncated\.json is not JSON/);
  });

  it('a results.json of a future schema version', async () => {
    const data = JSON.parse(await readFile(join(runs.tiny, 'results.json'), 'utf8'));
    const file = join(out, 'future.json');
    await writeFile(file, JSON.stringify({ ...data, schemaVersion: 2 }));
    await expectOneLineError([file], /future\.json is results\.json schema version 2; this beir-bench reads version 1/);
  });

  it.skipIf(!hasSharedBeir())('two runs of one dataset with different files (dataset hashes)', async () => {
    await expectOneLineError(
      [runs.scifact, runs.tiny],
      /cannot combine .*results\.json and .*results\.json: their inputs differ \(SciFact .*corpus.* content [0-9a-f]{12} vs [0-9a-f]{12}.*\); pass --allow-different-inputs/,
    );
  });

  it('an unknown --columns entry', async () => {
    await expectOneLineError([runs.tiny, '--columns', 'ci,pvalue'], /--columns: unknown column "pvalue"; expected none or a list of ci, p, wtl/);
  });

  it('an --out folder holding other files is left alone', async () => {
    const dest = join(out, 'mine');
    await mkdir(dest);
    await writeFile(join(dest, 'notes.txt'), 'keep me');
    const r = await cli(['report', runs.tiny, '--out', dest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --out .*mine exists and is not a report folder \(it holds notes\.txt\)/);
    expect(await readdir(dest)).toEqual(['notes.txt']);
  });
});

describe.skipIf(!hasSharedBeir())('beir-bench report: a SciFact run and an NFCorpus run', () => {
  it('makes one HTML page with both datasets and writes each chart as an SVG', async () => {
    const dest = join(out, 'html');
    const r = await cli(['report', runs.scifact, runs.nfcorpus, '--format', 'html', '--out', dest]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(['report.html', 'scores-nfcorpus.svg', 'scores-scifact.svg']);
    const html = await readFile(join(dest, 'report.html'), 'utf8');
    expect(html).toMatch(/<th scope="rowgroup" rowspan="3">SciFact<\/th>/);
    expect(html).toMatch(/<th scope="rowgroup" rowspan="3">NFCorpus<\/th>/);
    // Self-contained: no scripts, no external resources.
    expect(html).not.toMatch(/<script|<link|src=|url\(http/i);
    expect(await readFile(join(dest, 'scores-scifact.svg'), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // Again into the same folder: the earlier report is replaced whole.
    const again = await cli(['report', runs.scifact, '--format', 'md', '--out', dest]);
    expect(again.code, again.stderr).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(['report.md', 'scores-scifact.svg']);
    expect(await readFile(join(dest, 'report.md'), 'utf8')).toContain('![Grouped bar chart. SciFact');
  });

  it('prints markdown, CSV and JSON on stdout without --out', async () => {
    const md = await cli(['report', runs.scifact, runs.nfcorpus]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('| Dataset | Bias | Metric | BM25 |');
    expect(md.stdout).toMatch(/\| SciFact \| GOOD \| NDCG@10 \| 0\.\d{4} \|/);
    expect(md.stdout).toMatch(/\| NFCorpus \| GOOD \| NDCG@10 \| 0\.\d{4} \|/);
    const csv = await cli(['report', runs.scifact, runs.nfcorpus, '--format', 'csv']);
    const rows = parseCsv(csv.stdout) as string[][];
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ['Dataset', 'Bias', 'Metric'],
      ['SciFact', 'GOOD', 'NDCG@10'],
      ['SciFact', 'GOOD', 'MAP@10'],
      ['SciFact', 'GOOD', 'Recall@10'],
      ['NFCorpus', 'GOOD', 'NDCG@10'],
      ['NFCorpus', 'GOOD', 'MAP@10'],
      ['NFCorpus', 'GOOD', 'Recall@10'],
    ]);
    const json = JSON.parse((await cli(['report', join(runs.scifact, 'results.json'), runs.nfcorpus, '--format', 'json'])).stdout);
    const stored = JSON.parse(await readFile(join(runs.nfcorpus, 'results.json'), 'utf8'));
    expect(json.datasets[1].systems[0].mean['ndcg_cut.10']).toBe(stored.datasets[0].systems[0].mean['ndcg_cut.10']);
  });

  it('combines runs of different files when told to, and says so', async () => {
    const r = await cli(['report', runs.scifact, runs.tiny, '--allow-different-inputs']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('BM25 (run 1)');
    expect(r.stdout).toMatch(/Inputs differ between the combined runs/);
  });
});

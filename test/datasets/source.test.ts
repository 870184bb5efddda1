/** What `--dataset` names (src/datasets/source.ts): registry names, paths and NAME=PATH, resolved in one place. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { getDataset } from '../../src/datasets/registry.js';
import { expandDatasetSpecs, parseDatasetSpec, resolveDataset } from '../../src/datasets/source.js';

describe('dataset specs', () => {
  it('parses a registry name, a path and NAME=PATH without touching the disk', () => {
    expect(parseDatasetSpec('SciFact')).toEqual({ given: 'SciFact', name: 'scifact' });
    expect(parseDatasetSpec('mini')).toEqual({ given: 'mini', name: 'mini' });
    expect(parseDatasetSpec('./data/my-data')).toEqual({ given: './data/my-data', name: 'my-data', path: './data/my-data' });
    expect(parseDatasetSpec('/srv/beir/x')).toMatchObject({ name: 'x', path: '/srv/beir/x' });
    expect(parseDatasetSpec('mine=../x')).toEqual({ given: 'mine=../x', name: 'mine', path: '../x' });
    expect(parseDatasetSpec('scifact=./copy')).toMatchObject({ name: 'scifact', path: './copy' });
  });

  it.each([
    ['my data=./x', /--dataset my data=\.\/x: the name before "=" must use letters, digits and \+ \. _ - only, got "my data"/],
    ['mine=', /--dataset mine=: no folder after "="; write name=path/],
    ['./my data', /--dataset \.\/my data: the folder's name "my data" cannot name a dataset .*; give one: NAME=\.\/my data/],
  ])('refuses %s in one line', (given, message) => {
    expect(() => parseDatasetSpec(given)).toThrow(UserError);
    expect(() => parseDatasetSpec(given)).toThrow(message);
  });

  it('expands seed, comma lists and repeats; a path keeps its spelling', () => {
    expect(expandDatasetSpecs(['seed,./a', 'scifact', 'x=./a', './a/'])).toEqual(['nfcorpus', 'trec-covid', 'scifact', 'arguana', './a', 'x=./a']);
  });
});

describe('resolveDataset', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-source-'));
    for (const dir of ['data/mini', 'data/scifact', 'plain']) await mkdir(join(work, dir), { recursive: true });
    await writeFile(join(work, 'file'), '');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const opts = () => ({ cacheDir: join(work, 'cache'), quiet: true, baseDir: work });

  it('a path is relative to baseDir (a matrix file\'s folder); it claims nothing unless named after a registry dataset', async () => {
    expect(await resolveDataset('data/mini', opts())).toEqual({ given: 'data/mini', name: 'mini', folder: join(work, 'data/mini'), origin: 'folder' });
    expect(await resolveDataset(`own=${join(work, 'plain')}`, opts())).toMatchObject({ name: 'own', folder: join(work, 'plain'), origin: 'folder' });
    expect(await resolveDataset('scifact=data/mini', opts())).toMatchObject({ name: 'scifact', origin: 'folder', claims: getDataset('scifact') });
  });

  it('a registry name under --data-dir is a folder that claims the entry; another name is looked up there', async () => {
    const dataDir = join(work, 'data');
    expect(await resolveDataset('scifact', { ...opts(), dataDir })).toEqual({
      given: 'scifact', name: 'scifact', folder: join(dataDir, 'scifact'), origin: 'folder', claims: getDataset('scifact'),
    });
    expect(await resolveDataset('mini', { ...opts(), dataDir })).toMatchObject({ name: 'mini', folder: join(dataDir, 'mini'), origin: 'folder' });
    expect((await resolveDataset('mini', { ...opts(), dataDir })).claims).toBeUndefined();
  });

  it('names what is wrong: an unknown name lists the registry and the path forms; a path that is not a folder says so', async () => {
    await expect(resolveDataset('scifakt', opts())).rejects.toThrow(/^unknown dataset "scifakt"; valid names: trec-covid, .* or a BEIR folder as a path \(\.\/scifakt\) or NAME=PATH$/);
    await expect(resolveDataset('./file', opts())).rejects.toThrow(`--dataset ./file: ${join(work, 'file')} is not a folder (a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv)`);
    await expect(resolveDataset('x=./absent', opts())).rejects.toThrow(UserError);
  });
});

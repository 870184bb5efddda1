import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { extractZipFolder } from '../../src/datasets/extract.js';
import { loadDataset } from '../../src/datasets/loaders.js';
import { getDataset, type DatasetInfo } from '../../src/datasets/registry.js';
import { resolveFolderFor } from '../../src/datasets/resolve.js';
import { startServer, type TestServer } from './helpers/http-server.js';
import { buildZip, type ZipEntrySpec } from './helpers/zip-writer.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/datasets/tiny');

/** The tiny fixture packed as the official zips are: one folder named after the dataset. */
async function tinyZipEntries(folder: string): Promise<ZipEntrySpec[]> {
  const files = ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'qrels/dev.tsv'];
  return [
    { name: `${folder}/` },
    { name: `${folder}/qrels/` },
    ...(await Promise.all(files.map(async (f) => ({ name: `${folder}/${f}`, data: await readFile(join(FIXTURE, f)) })))),
  ];
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const infoFor = (zip: Buffer): DatasetInfo => ({ ...getDataset('scifact'), md5: md5(zip), zipBytes: zip.length });

let cacheDir: string;
let server: TestServer | undefined;

beforeEach(async () => {
  // The cache lives in its own parent folder, so a traversal ("../evil.txt") would land in `parent`.
  const parent = await mkdtemp(join(tmpdir(), 'beir-dl-'));
  cacheDir = join(parent, 'cache');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(join(cacheDir, '..'), { recursive: true, force: true });
});

/** Serve `body` at /scifact.zip; anything else is a 404. */
async function serveZip(body: Buffer): Promise<TestServer> {
  return startServer((req, res) => {
    if (req.url !== '/scifact.zip') {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
}

/** Every name under the cache's parent folder, temp files (dot files) included. */
async function leftovers(): Promise<string[]> {
  return (await readdir(join(cacheDir, '..'), { recursive: true })).map(String).sort();
}

describe('download + extract into the cache', () => {
  it('downloads, verifies, extracts into a loadable folder, and then serves it from the cache without network', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await serveZip(zip);
    const opts = { cacheDir, mirror: server.baseUrl, quiet: true };

    const folder = await resolveFolderFor(infoFor(zip), opts);
    expect(folder).toBe(join(cacheDir, 'scifact'));
    expect(server.requests).toEqual(['/scifact.zip']);
    const ds = await loadDataset('scifact', folder, { split: 'test' });
    expect([...ds.corpus.ids]).toEqual(['d1', '2', 'd3', 'd4', 'd5']);
    expect(ds.queries.map((q) => q.id)).toEqual(['3', 'q1', 'q2']);
    expect(await leftovers()).toEqual(['cache', 'cache/scifact', 'cache/scifact.zip', 'cache/scifact/corpus.jsonl',
      'cache/scifact/qrels', 'cache/scifact/qrels/dev.tsv', 'cache/scifact/qrels/test.tsv', 'cache/scifact/queries.jsonl']);

    await server.close();
    server = undefined;
    expect(await resolveFolderFor(infoFor(zip), { ...opts, mirror: 'http://127.0.0.1:9/' })).toBe(folder);
  });

  it('re-extracts from a cached zip without downloading it again', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await serveZip(zip);
    const opts = { cacheDir, mirror: server.baseUrl, quiet: true };
    await resolveFolderFor(infoFor(zip), opts);
    await rm(join(cacheDir, 'scifact'), { recursive: true });
    await resolveFolderFor(infoFor(zip), opts);
    expect(server.requests).toHaveLength(1);
    expect((await stat(join(cacheDir, 'scifact', 'corpus.jsonl'))).isFile()).toBe(true);
  });

  it('replaces a cached zip whose md5 is wrong', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await serveZip(zip);
    await writeFile(join(await mkdirP(cacheDir), 'scifact.zip'), 'garbage');
    await resolveFolderFor(infoFor(zip), { cacheDir, mirror: server.baseUrl, quiet: true });
    expect(server.requests).toEqual(['/scifact.zip']);
    expect(md5(await readFile(join(cacheDir, 'scifact.zip')))).toBe(md5(zip));
  });

  it('refuses a download whose md5 differs and leaves nothing behind', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await serveZip(zip);
    const info = { ...infoFor(zip), md5: '0'.repeat(32) };
    const err = await resolveFolderFor(info, { cacheDir, mirror: server.baseUrl, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`md5 ${md5(zip)}, expected 0{32}`));
    expect((err as Error).message).toContain(`${server.baseUrl}scifact.zip`);
    expect(await leftovers()).toEqual(['cache']);
  });

  it('refuses a truncated transfer (server closes early) and leaves nothing behind', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': zip.length });
      res.write(zip.subarray(0, 100), () => res.destroy());
    });
    const err = await resolveFolderFor(infoFor(zip), { cacheDir, mirror: server.baseUrl, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/scifact\.zip (failed|is truncated)/);
    expect(await leftovers()).toEqual(['cache']);
  });

  it('refuses a chunked transfer cut short (no Content-Length) and leaves nothing behind', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(zip.subarray(0, 100), () => res.destroy());
    });
    const err = await resolveFolderFor(infoFor(zip), { cacheDir, mirror: server.baseUrl, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/scifact\.zip failed: .* after 100 bytes\./);
    expect(await leftovers()).toEqual(['cache']);
  });

  it('accepts a mirror serving the zip gzip-encoded (Content-Length then counts encoded bytes)', async () => {
    const zip = buildZip(await tinyZipEntries('scifact'));
    const body = gzipSync(zip);
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
    });
    const folder = await resolveFolderFor(infoFor(zip), { cacheDir, mirror: server.baseUrl, quiet: true });
    expect((await stat(join(folder, 'corpus.jsonl'))).isFile()).toBe(true);
  });

  it('names the URL on HTTP 404', async () => {
    server = await serveZip(Buffer.alloc(0));
    const info = { ...getDataset('nfcorpus') };
    const err = await resolveFolderFor(info, { cacheDir, mirror: `${server.baseUrl}beir`, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      new RegExp(`^download of BEIR dataset nfcorpus from ${server.baseUrl}beir/nfcorpus\\.zip failed: HTTP 404 Not Found\\. .*--data-dir.*--mirror`),
    );
    expect(await leftovers()).toEqual(['cache']);
  });

  it('refuses a zip entry escaping the target ("../evil.txt") and extracts nothing', async () => {
    const zip = buildZip([...(await tinyZipEntries('scifact')), { name: 'scifact/../../evil.txt', data: 'owned' }]);
    server = await serveZip(zip);
    const err = await resolveFolderFor(infoFor(zip), { cacheDir, mirror: server.baseUrl, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/refusing to extract .*scifact\.zip: .*\.\.\/evil\.txt/);
    // The verified zip stays cached; nothing was extracted, in the cache or beside it.
    expect(await leftovers()).toEqual(['cache', 'cache/scifact.zip']);
  });
});

describe('extractZipFolder', () => {
  async function extract(entries: ZipEntrySpec[]): Promise<unknown> {
    const zipPath = join(await mkdirP(cacheDir), 'x.zip');
    await writeFile(zipPath, buildZip(entries));
    return extractZipFolder(zipPath, 'x', join(cacheDir, 'x'), { label: 'extract', quiet: true }).catch((e: unknown) => e);
  }

  it.each([
    ['a leading ../', '../evil.txt', /evil\.txt/],
    ['an absolute path', '/tmp/evil.txt', /absolute path/],
    ['a drive letter', 'C:/evil.txt', /absolute path|C:\/evil\.txt/],
  ])('refuses %s', async (_what, name, message) => {
    const err = await extract([{ name: 'x/a.txt', data: 'a' }, { name, data: 'owned' }]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect(await leftovers()).toEqual(['cache', 'cache/x.zip']);
  });

  it('refuses a symbolic link entry', async () => {
    const err = await extract([{ name: 'x/a.txt', data: 'a' }, { name: 'x/link', linkTarget: '/etc/passwd' }]);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/"x\/link" is a symbolic link/);
    expect(await leftovers()).toEqual(['cache', 'cache/x.zip']);
  });

  it('refuses a zip without the expected folder, leaving no temp folder', async () => {
    const err = await extract([{ name: 'other/a.txt', data: 'a' }]);
    expect((err as Error).message).toMatch(/does not hold the expected folder "x\/"/);
    expect(await leftovers()).toEqual(['cache', 'cache/x.zip']);
  });

  it('refuses a file that is not a zip', async () => {
    const zipPath = join(await mkdirP(cacheDir), 'x.zip');
    await writeFile(zipPath, 'not a zip at all');
    const err = await extractZipFolder(zipPath, 'x', join(cacheDir, 'x'), { label: 'extract', quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/cannot open zip .*x\.zip/);
  });

  it('drops entries outside the folder (e.g. __MACOSX) and keeps file contents', async () => {
    const err = await extract([{ name: 'x/sub/a.txt', data: 'hello' }, { name: '__MACOSX/x/._a.txt', data: 'junk' }]);
    expect(err).toBeUndefined();
    expect(await readFile(join(cacheDir, 'x', 'sub', 'a.txt'), 'utf8')).toBe('hello');
    expect(await leftovers()).toEqual(['cache', 'cache/x', 'cache/x.zip', 'cache/x/sub', 'cache/x/sub/a.txt']);
  });
});

async function mkdirP(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

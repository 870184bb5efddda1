import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { withTempPath } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { startProgress } from '../progress.js';
import { tap } from './stream-tap.js';

export interface ExtractOptions {
  label: string;
  quiet?: boolean;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Extract the folder `folderInZip` of a zip to `dest`. Everything is written into a temp folder beside
 * `dest` and renamed into place at the end, so `dest` either does not exist or is complete.
 * Every entry name is checked before anything is written: absolute paths, paths escaping the target
 * and symlinks are refused. Entries outside `folderInZip` (e.g. `__MACOSX/`) are dropped.
 */
export async function extractZipFolder(zipPath: string, folderInZip: string, dest: string, opts: ExtractOptions): Promise<void> {
  const zip = await openZip(zipPath);
  try {
    const entries = await readEntries(zip, zipPath);
    await mkdir(dirname(dest), { recursive: true });
    await withTempPath(dest, async (tmp) => {
      const root = resolve(tmp);
      // Every name is checked, kept or not: one hostile entry refuses the whole archive.
      const targets = entries.map((entry) => ({ entry, target: safeTarget(root, entry, zipPath) }));
      const wanted = targets.filter(({ entry }) => entry.fileName.startsWith(`${folderInZip}/`));
      if (wanted.length === 0) throw new UserError(`${zipPath} does not hold the expected folder "${folderInZip}/"`);

      const total = wanted.reduce((sum, { entry }) => sum + entry.uncompressedSize, 0);
      const progress = startProgress({ label: opts.label, total, unit: 'MB', scale: 1e-6, quiet: opts.quiet });
      let done = 0;
      try {
        for (const { entry, target } of wanted) {
          if (entry.fileName.endsWith('/')) {
            await mkdir(target, { recursive: true });
            continue;
          }
          await mkdir(dirname(target), { recursive: true });
          const meter = tap((chunk) => progress.update((done += chunk.length)));
          await pipeline(await openEntry(zip, entry, zipPath), meter, createWriteStream(target)).catch((err: Error) => {
            throw new UserError(`cannot extract "${entry.fileName}" from ${zipPath}: ${err.message}`);
          });
        }
      } finally {
        progress.stop();
      }
      await rename(join(root, folderInZip), dest).catch((err: NodeJS.ErrnoException) => {
        // Another process extracted the same (md5-verified) zip first: its complete folder is as good as ours.
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
      await rm(root, { recursive: true, force: true });
    });
  } finally {
    zip.close();
  }
}

/** Where an entry goes under `root`; refuses names that would write anywhere else. */
function safeTarget(root: string, entry: yauzl.Entry, zipPath: string): string {
  const name = entry.fileName;
  const refuse = (why: string) => new UserError(`refusing to extract ${zipPath}: entry "${name}" ${why}; nothing was extracted`);
  // yauzl already rejects absolute and ".." names when decoding; checked again so safety does not rest on its defaults.
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.includes('\0')) throw refuse('has an absolute or invalid path');
  const target = resolve(root, name);
  if (target !== root && !target.startsWith(root + sep)) throw refuse('escapes the target folder');
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) throw refuse('is a symbolic link');
  return target;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err ? fail(new UserError(`cannot open zip ${path}: ${err.message}`)) : ok(zip),
    ),
  );
}

/** Read the whole central directory (names and sizes only, no file data). */
function readEntries(zip: yauzl.ZipFile, zipPath: string): Promise<yauzl.Entry[]> {
  return new Promise((ok, fail) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => ok(entries));
    // yauzl reports unsafe names ("invalid relative path: ../x") and corruption here.
    zip.on('error', (err: Error) => fail(new UserError(`refusing to extract ${zipPath}: ${err.message}; nothing was extracted`)));
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, zipPath: string): Promise<Readable> {
  return new Promise((ok, fail) =>
    zip.openReadStream(entry, (err, stream) =>
      err ? fail(new UserError(`cannot read "${entry.fileName}" in ${zipPath}: ${err.message}`)) : ok(stream),
    ),
  );
}

import { constants } from 'node:fs';
import { access, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { fileDigest } from './digest.js';
import { downloadVerified } from './download.js';
import { extractZipFolder } from './extract.js';
import { datasetZipUrl, type DatasetInfo } from './registry.js';

export interface ResolveOptions {
  /** An already-extracted BEIR folder (holding `<name>/`), used as-is: never downloaded into. */
  dataDir?: string;
  /** Download cache: `<cacheDir>/<name>.zip` and `<cacheDir>/<name>/`. */
  cacheDir: string;
  /** Base URL replacing the official one. */
  mirror?: string;
  quiet?: boolean;
}

/**
 * The folder holding a registry dataset's corpus.jsonl, queries.jsonl and qrels/ (any dataset, a folder of the
 * user's too, is resolved by src/datasets/source.ts, resolveDataset, which calls this for registry names).
 * With `dataDir`: `<dataDir>/<name>`, which must exist. Otherwise the cache, filled on first use:
 * download (md5-checked) and extract. The extracted folder is renamed into place only when complete,
 * so its presence alone means the cache is usable and no network is needed. (Tests pass entries whose md5
 * matches their fixture zip.)
 */
export async function resolveFolderFor(info: DatasetInfo, opts: ResolveOptions): Promise<string> {
  if (opts.dataDir !== undefined) {
    const folder = join(opts.dataDir, info.name);
    const readable = await access(folder, constants.R_OK | constants.X_OK).then(() => isDirectory(folder), () => false);
    if (!readable) {
      throw new UserError(
        `dataset folder ${folder} is missing or unreadable (--data-dir ${opts.dataDir} must hold one folder per dataset, e.g. ${info.name}/corpus.jsonl)`,
      );
    }
    return folder;
  }

  const folder = join(opts.cacheDir, info.name);
  if (await isDirectory(folder)) return folder;

  const zip = join(opts.cacheDir, `${info.name}.zip`);
  if (!(await cachedZipIsValid(zip, info.md5, opts.quiet))) {
    await downloadVerified(datasetZipUrl(info.name, opts.mirror), zip, {
      md5: info.md5,
      expectedBytes: info.zipBytes,
      label: `download ${info.name}`,
      quiet: opts.quiet,
      what: `BEIR dataset ${info.name}`,
      offline:
        `To work without this server: point --data-dir DIR at an extracted copy (DIR/${info.name}/corpus.jsonl; bench, stats), ` +
        `or copy ${info.name}.zip (md5 ${info.md5}) to ${zip}, or name a reachable copy of the zips with --mirror URL`,
    });
  }
  await extractZipFolder(zip, info.name, folder, { label: `extract ${info.name}`, quiet: opts.quiet });
  return folder;
}

/** A zip left by an earlier run whose extraction did not finish; one that fails its md5 is replaced. */
async function cachedZipIsValid(zip: string, md5: string, quiet?: boolean): Promise<boolean> {
  if (!(await stat(zip).then((s) => s.isFile(), () => false))) return false;
  const actual = await fileDigest(zip, 'md5');
  if (actual === md5.toLowerCase()) return true;
  if (!quiet) process.stderr.write(`cached ${zip} has md5 ${actual}, expected ${md5}: downloading it again\n`);
  await rm(zip, { force: true });
  return false;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

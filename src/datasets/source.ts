/**
 * What `--dataset` (and a regression matrix's `dataset:`) names, resolved in one place for every command: a
 * registry name (`scifact`: downloaded and md5-checked, or `<--data-dir>/scifact`), a path to a BEIR folder
 * (`./my-data`, `/data/mine`), or `name=path` (`mine=/data/mine`). docs/DATASETS.md ("Your own data") is the rule.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import type { RepeatedIds } from './corpus.js';
import { DATASETS, findDataset, SEED_DATASETS, type DatasetInfo } from './registry.js';
import { resolveFolderFor, type ResolveOptions } from './resolve.js';

/** A dataset name: it names run folders, matrix entries, index names and table rows. */
export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

/** A dataset as named by the user, located: where its files are and which registry entry it claims to be. */
export interface DatasetSource {
  /** As given: `scifact`, `./my-data`, `mine=/data/mine` (results.json records it). */
  given: string;
  /** Its name in tables, results and matrices: the registry's name, the one given, or the folder's name. */
  name: string;
  /** The folder holding corpus.jsonl, queries.jsonl and qrels/ (each may be gzip-compressed: `.gz`). */
  folder: string;
  /**
   * 'download': the registry's zip, md5-checked, so its facts apply. 'folder': a folder as the user gave it,
   * validated strictly (a repeated id is an error); if it `claims` a registry entry, src/datasets/identity.ts
   * decides from its counts and content digests whether the registry's facts apply.
   */
  origin: 'download' | 'folder';
  /** The registry entry its name is (a download always; a folder given a registry name). */
  claims?: DatasetInfo;
}

/** How a source's files are read: a folder of the user's is refused on a repeated id, the official data is read as BEIR does. */
export const repeatedIdsOf = (source: DatasetSource): RepeatedIds => (source.origin === 'download' ? 'merge' : 'error');

/** Where a dataset spec points, before anything is read: the name, and the path if one was given. */
interface DatasetSpec {
  given: string;
  name: string;
  path?: string;
}

const looksLikePath = (s: string) => s.includes('/') || s.includes(sep) || s.startsWith('.') || s.startsWith('~');

/** Parse `name`, `path` or `name=path` (no file access). */
export function parseDatasetSpec(given: string): DatasetSpec {
  const text = given.trim();
  const eq = text.indexOf('=');
  if (eq >= 0) {
    const [name, path] = [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
    if (!DATASET_NAME.test(name)) throw new UserError(`--dataset ${given}: the name before "=" must use letters, digits and + . _ - only, got "${name}"`);
    if (path === '') throw new UserError(`--dataset ${given}: no folder after "="; write name=path, e.g. mine=./my-data`);
    return { given, name, path };
  }
  if (looksLikePath(text)) {
    const name = basename(resolve(text));
    if (!DATASET_NAME.test(name)) {
      throw new UserError(`--dataset ${given}: the folder's name "${name}" cannot name a dataset (letters, digits and + . _ - only); give one: NAME=${text}`);
    }
    return { given, name, path: text };
  }
  return { given, name: findDataset(text)?.name ?? text };
}

/**
 * The one resolution every command uses: `name | path | name=path` to the folder it reads and the registry entry it
 * claims. A registry name without --data-dir is downloaded (md5-checked) into the cache; with --data-dir it is
 * `<data-dir>/<name>`. A path is relative to `opts.baseDir` (a matrix file's folder) or the working directory. A
 * name outside the registry is `<data-dir>/<name>` or `./<name>` when such a folder exists.
 */
export async function resolveDataset(given: string, opts: ResolveOptions & { baseDir?: string }): Promise<DatasetSource> {
  const spec = parseDatasetSpec(given);
  const claims = findDataset(spec.name);
  const base = opts.baseDir ?? process.cwd();
  if (spec.path !== undefined) {
    const path = spec.path.startsWith('~') ? spec.path.replace(/^~(?=$|\/)/, process.env.HOME ?? '~') : spec.path;
    const folder = isAbsolute(path) ? path : resolve(base, path);
    await requireFolder(folder, given);
    return { given, name: spec.name, folder, origin: 'folder', ...(claims ? { claims } : {}) };
  }
  if (claims) {
    const folder = await resolveFolderFor(claims, opts);
    return { given, name: claims.name, folder, origin: opts.dataDir === undefined ? 'download' : 'folder', claims };
  }
  if (!DATASET_NAME.test(spec.name)) throw unknownName(given);
  for (const folder of [opts.dataDir === undefined ? null : resolve(opts.dataDir, spec.name), resolve(base, spec.name)]) {
    if (folder !== null && (await isDirectory(folder))) return { given, name: spec.name, folder, origin: 'folder' };
  }
  throw unknownName(given);
}

/** `seed`, comma lists and repeats expanded; each spec as given (a path keeps its spelling), first occurrence kept. */
export function expandDatasetSpecs(given: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const part of given.flatMap((g) => g.split(','))) {
    const text = part.trim();
    if (text === '') continue;
    for (const spec of text.toLowerCase() === 'seed' ? SEED_DATASETS : [text]) {
      const parsed = parseDatasetSpec(spec);
      const key = parsed.path === undefined ? parsed.name : `${parsed.name}=${resolve(parsed.path)}`;
      if (!out.has(key)) out.set(key, parsed.path === undefined ? parsed.name : spec);
    }
  }
  if (out.size === 0) throw new UserError('no dataset given; pass --dataset NAME (or "seed"), or a BEIR folder: --dataset ./my-data or NAME=./my-data');
  return [...out.values()];
}

/** An unknown name, with what is accepted instead. */
export function unknownDatasetMessage(given: string): string {
  return (
    `unknown dataset "${given}"; valid names: ${DATASETS.map((d) => d.name).join(', ')} (or "seed" for ${SEED_DATASETS.join(', ')}), ` +
      `or a BEIR folder as a path (./${given}) or NAME=PATH`
  );
}

const unknownName = (given: string) => new UserError(unknownDatasetMessage(given));

async function requireFolder(folder: string, given: string): Promise<void> {
  if (!(await isDirectory(folder))) {
    throw new UserError(`--dataset ${given}: ${folder} is not a folder (a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv)`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

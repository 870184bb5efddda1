import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { slug } from './cache.js';
import type { CacheKeyParts } from './cache-key.js';
import { INDEX_FILE, type StoreIndex } from './vector-store.js';

/** One cache folder: a namespace's vectors for one model and key-parts combination. */
export interface CacheFolder {
  dir: string;
  namespace: string;
  model: string;
  /** fp32 / q8, or `remote` for vectors from an embedding endpoint. */
  dtype: string;
  /** What the vectors came from: the weights' sha256 (local) or the endpoint's probe fingerprint (remote). */
  source: string;
  entries: number;
  bytes: number;
}

/** Folders under `<cacheDir>/<namespace>/<model>/<config>/`; one whose index is unreadable shows as unknown. */
export async function listCache(cacheDir: string): Promise<CacheFolder[]> {
  const folders: CacheFolder[] = [];
  for (const ns of await subdirs(cacheDir)) {
    for (const model of await subdirs(join(cacheDir, ns))) {
      for (const cfg of await subdirs(join(cacheDir, ns, model))) {
        const dir = join(cacheDir, ns, model, cfg);
        const index = await readIndex(dir);
        let bytes = 0;
        // A run writing the store meanwhile renames and removes temp files: one gone since readdir counts nothing.
        for (const f of await readdir(dir)) bytes += (await stat(join(dir, f)).catch(() => null))?.size ?? 0;
        folders.push({
          dir,
          namespace: index?.namespace ?? ns,
          model: index?.parts.model ?? model,
          ...describeParts(index?.parts),
          entries: index ? index.segments.reduce((n, s) => n + s.count, 0) : NaN,
          bytes,
        });
      }
    }
  }
  return folders;
}

function describeParts(parts: CacheKeyParts | undefined): Pick<CacheFolder, 'dtype' | 'source'> {
  if (!parts) return { dtype: '?', source: '?' };
  if ('kind' in parts) return { dtype: 'remote', source: `probes ${parts.fingerprint}${parts.inputType ? ` (${parts.inputType})` : ''}` };
  return { dtype: parts.dtype, source: parts.weightsSha256.slice(0, 12) };
}

export interface CacheFilter {
  model?: string;
  dataset?: string;
}

/** Folders of one model and/or one dataset (compared as folder names, as they are stored). */
export function filterCache(folders: CacheFolder[], filter: CacheFilter): CacheFolder[] {
  return folders.filter(
    (f) => (!filter.model || slug(f.model) === slug(filter.model)) && (!filter.dataset || slug(f.namespace) === slug(filter.dataset)),
  );
}

/** Delete cached vectors, all of them or only those matching the filter. Returns the folders removed. */
export async function clearCache(cacheDir: string, filter: CacheFilter): Promise<CacheFolder[]> {
  const doomed = filterCache(await listCache(cacheDir), filter);
  for (const f of doomed) {
    await rm(f.dir, { recursive: true, force: true });
    // Drop the model and namespace folders too once they are empty.
    for (const parent of [dirname(f.dir), dirname(dirname(f.dir))]) await rmdir(parent).catch(() => {});
  }
  return doomed;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function readIndex(dir: string): Promise<StoreIndex | null> {
  try {
    return JSON.parse(await readFile(join(dir, INDEX_FILE), 'utf8')) as StoreIndex;
  } catch {
    return null;
  }
}

/**
 * The embedding cache as `serve` uses it: every vector any earlier run cached for this encoder is served (whatever
 * dataset namespace it sits under), and new vectors go to the `serve` namespace. The stores stay open for the life
 * of the server, so a request costs no folder scan.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { storeDir, type VectorSource } from '../embed/cache.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import type { EncoderInfo } from '../embed/encoder.js';
import { INDEX_FILE, VectorStore, type StoreIndex } from '../embed/vector-store.js';

export const SERVE_NAMESPACE = 'serve';

export interface ServeCache extends VectorSource {
  /** Cache folders read from, the serve namespace first. */
  namespaces: string[];
}

export async function openServeCache(cacheDir: string, info: EncoderInfo): Promise<ServeCache> {
  const parts = keyPartsOf(info);
  const hex = configHash(parts);
  const open = async (folder: string) => {
    const dir = storeDir(cacheDir, folder, parts.model, hex);
    // Keep the namespace its index records (the folder name is a file-system-safe spelling of it).
    const index = await readFile(join(dir, INDEX_FILE), 'utf8').then((t) => JSON.parse(t) as StoreIndex, () => null);
    return VectorStore.open(dir, index?.namespace ?? folder, parts, info.dimension);
  };
  const writer = await open(SERVE_NAMESPACE);
  const others = (await readdir(cacheDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name !== SERVE_NAMESPACE && existsSync(storeDir(cacheDir, e.name, parts.model, hex)))
    .map((e) => e.name)
    .sort();
  const readers = [writer, ...(await Promise.all(others.map(open)))];
  return {
    namespaces: [SERVE_NAMESPACE, ...others],
    async read(wanted, out) {
      const served = new Set<string>();
      for (const store of readers) {
        const rest = new Map([...wanted].filter(([k]) => !served.has(k)));
        if (rest.size === 0) break;
        for (const k of await store.read(rest, out)) served.add(k);
      }
      return served;
    },
    append: (keys, vectors) => writer.append(keys, vectors),
  };
}

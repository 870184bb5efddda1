import { homedir } from 'node:os';
import { join } from 'node:path';
import { startProgress } from '../progress.js';
import type { Matrix } from '../types.js';
import { configHash, entryKey, keyPartsOf } from './cache-key.js';
import type { Encoder } from './encoder.js';
import { VectorStore } from './vector-store.js';

export interface EmbedRequest {
  encoder: Encoder;
  /** Exact strings to embed, prefix included. */
  texts: string[];
  /** null = no cache. */
  cacheDir: string | null;
  /** Already-open stores to use instead of opening `cacheDir`'s (a server keeps its stores open across requests). */
  store?: VectorSource;
  /** Groups cache files, e.g. the dataset name. */
  namespace: string;
  /** Progress label. */
  label: string;
  quiet?: boolean;
  /** Texts per cache chunk (a killed run loses at most one); tests make it small. */
  chunkSize?: number;
}

export interface EmbedOutcome {
  matrix: Matrix;
  /** Distinct texts run through the model. */
  encoded: number;
  /** Rows served from the cache. */
  fromCache: number;
  seconds: number;
}

export const DEFAULT_CHUNK_SIZE = 256;

/** Where cached vectors are read from and new ones persisted: a VectorStore, or several behind one face. */
export interface VectorSource {
  /** Copy cached vectors into `out` rows (`wanted`: key -> rows); returns the keys served. */
  read(wanted: Map<string, number[]>, out: Float32Array): Promise<Set<string>>;
  append(keys: Buffer[], vectors: Float32Array): Promise<void>;
}

/** `$BEIR_BENCH_CACHE`, else ~/.cache/beir-bench/embeddings (outside results/, shared by every command). */
export function defaultCacheDir(): string {
  return process.env.BEIR_BENCH_CACHE || join(homedir(), '.cache', 'beir-bench', 'embeddings');
}

/** File-system-safe folder name; model ids keep their owner visible (`intfloat__e5-small-v2`). */
export function slug(s: string): string {
  return s.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Folder holding one namespace's vectors for one model and key-parts combination. */
export function storeDir(cacheDir: string, namespace: string, model: string, configHex: string): string {
  return join(cacheDir, slug(namespace), slug(model), configHex.slice(0, 16));
}

/**
 * Embed texts, serving what the cache holds and encoding the rest in chunks that are persisted as they finish.
 * Identical texts are encoded once. Misses are encoded in a canonical order (longest first, then by text) so the
 * chunks a resumed run encodes are exactly the chunks an uninterrupted run would have, and so are their vectors.
 */
export async function embedTexts(req: EmbedRequest): Promise<EmbedOutcome> {
  const started = performance.now();
  const { encoder, texts } = req;
  const dim = encoder.info.dimension;
  const chunkSize = req.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const matrix: Matrix = { data: new Float32Array(texts.length * dim), rows: texts.length, dim };

  const parts = keyPartsOf(encoder.info);
  const configHex = configHash(parts);
  const rowsByKey = new Map<string, number[]>();
  const textByKey = new Map<string, string>();
  texts.forEach((t, row) => {
    const key = entryKey(configHex, t).toString('hex');
    const rows = rowsByKey.get(key);
    if (rows) rows.push(row);
    else {
      rowsByKey.set(key, [row]);
      textByKey.set(key, t);
    }
  });

  const store: VectorSource | null =
    req.store ?? (req.cacheDir === null ? null : await VectorStore.open(storeDir(req.cacheDir, req.namespace, parts.model, configHex), req.namespace, parts, dim));
  const served = store ? await store.read(rowsByKey, matrix.data) : new Set<string>();
  const missing = [...rowsByKey.keys()].filter((k) => !served.has(k));
  missing.sort((a, b) => {
    const ta = textByKey.get(a)!;
    const tb = textByKey.get(b)!;
    return tb.length - ta.length || (ta < tb ? -1 : ta > tb ? 1 : 0);
  });

  const fromCache = texts.length - missing.reduce((n, k) => n + rowsByKey.get(k)!.length, 0);
  const progress = startProgress({ label: cachedLabel(req.label, fromCache), total: missing.length, unit: 'passages', quiet: req.quiet });
  try {
    for (let i = 0; i < missing.length; i += chunkSize) {
      const keys = missing.slice(i, i + chunkSize);
      const vectors = await encoder.encode(keys.map((k) => textByKey.get(k)!), { onProgress: (n) => progress.tick(n) });
      keys.forEach((k, j) => {
        const v = vectors.data.subarray(j * dim, (j + 1) * dim);
        for (const r of rowsByKey.get(k)!) matrix.data.set(v, r * dim);
      });
      // A chunk write takes milliseconds next to seconds of encoding: not worth overlapping.
      await store?.append(keys.map((k) => Buffer.from(k, 'hex')), vectors.data);
    }
  } finally {
    progress.stop();
  }
  return { matrix, encoded: missing.length, fromCache, seconds: (performance.now() - started) / 1000 };
}

function cachedLabel(label: string, fromCache: number): string {
  return fromCache > 0 ? `${label} (${fromCache} cached)` : label;
}

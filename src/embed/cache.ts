import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnSignal } from '../undo-on-signal.js';
import { startProgress, type Progress } from '../progress.js';
import type { Matrix } from '../types.js';
import { configHash, entryKey, keyPartsOf } from './cache-key.js';
import type { Encoder } from './encoder.js';
import { StoredVectors, type PassageVectors } from './passage-vectors.js';
import { KEY_BYTES } from './segment-file.js';
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
  const matrix: Matrix = { data: new Float32Array(texts.length * dim), rows: texts.length, dim };

  const parts = keyPartsOf(encoder.info);
  const configHex = configHash(parts);
  const { rowsByKey, textByKey } = groupByKey(configHex, texts);

  const store: VectorSource | null =
    req.store ?? (req.cacheDir === null ? null : await VectorStore.open(storeDir(req.cacheDir, req.namespace, parts.model, configHex), req.namespace, parts, dim));
  const served = store ? await store.read(rowsByKey, matrix.data) : new Set<string>();
  const missing = [...rowsByKey.keys()].filter((k) => !served.has(k));

  const fromCache = texts.length - missing.reduce((n, k) => n + rowsByKey.get(k)!.length, 0);
  const progress = startProgress({ label: cachedLabel(req.label, fromCache), total: missing.length, unit: 'passages', quiet: req.quiet });
  try {
    await encodeMissing(encoder, missing, textByKey, store, req.chunkSize ?? DEFAULT_CHUNK_SIZE, progress, (key, v) => {
      for (const r of rowsByKey.get(key)!) matrix.data.set(v, r * dim);
    });
  } finally {
    progress.stop();
  }
  return { matrix, encoded: missing.length, fromCache, seconds: (performance.now() - started) / 1000 };
}

/** Texts by cache key (hex): the rows each key fills, and its text. */
function groupByKey(configHex: string, texts: readonly string[]): { rowsByKey: Map<string, number[]>; textByKey: Map<string, string> } {
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
  return { rowsByKey, textByKey };
}

/**
 * Encode the texts of `missing` keys in canonical order (longest first, then by text), `chunkSize` at a time, each
 * chunk persisted to `store` as soon as it is encoded; `onVector` sees every vector.
 */
async function encodeMissing(
  encoder: Encoder,
  missing: string[],
  textByKey: Map<string, string>,
  store: VectorSource | null,
  chunkSize: number,
  progress: Progress,
  onVector: (key: string, vector: Float32Array) => void,
): Promise<void> {
  const dim = encoder.info.dimension;
  missing.sort((a, b) => {
    const ta = textByKey.get(a)!;
    const tb = textByKey.get(b)!;
    return tb.length - ta.length || (ta < tb ? -1 : ta > tb ? 1 : 0);
  });
  for (let i = 0; i < missing.length; i += chunkSize) {
    const keys = missing.slice(i, i + chunkSize);
    const vectors = await encoder.encode(keys.map((k) => textByKey.get(k)!), { onProgress: (n) => progress.tick(n) });
    keys.forEach((k, j) => onVector(k, vectors.data.subarray(j * dim, (j + 1) * dim)));
    // A chunk write takes milliseconds next to seconds of encoding: not worth overlapping.
    await store?.append(keys.map((k) => Buffer.from(k, 'hex')), vectors.data);
  }
}

function cachedLabel(label: string, fromCache: number): string {
  return fromCache > 0 ? `${label} (${fromCache} cached)` : label;
}

/**
 * Texts read per window when a corpus is embedded as a stream. Fixed (not sized by --max-memory) because the
 * chunks a window's misses are cut into decide which texts share a forward pass, and q8 vectors depend slightly on
 * that: the same corpus must give the same vectors whatever the budget. 8,192 passages of SciFact-like length
 * hold about 12 MB of text; every BEIR corpus up to 8,192 docs is one window, encoded exactly as `embedTexts` would.
 */
export const ENCODE_WINDOW = 8192;

export interface CorpusEmbedRequest {
  encoder: Encoder;
  /**
   * The exact strings to embed (prefix included), one per corpus row, as a stream; each call a new pass (read
   * again when vectors lost during the run must be encoded again).
   */
  texts: () => AsyncIterable<string>;
  /** How many `texts` yields. */
  count: number;
  /** null = a temporary store, deleted when the vectors are disposed of. */
  cacheDir: string | null;
  namespace: string;
  label: string;
  quiet?: boolean;
  chunkSize?: number;
  /** Texts per window (tests make it small); default ENCODE_WINDOW. */
  window?: number;
}

export interface CorpusEmbedOutcome {
  vectors: PassageVectors;
  /** Distinct texts run through the model. */
  encoded: number;
  /** Rows whose vector the store already held when their window was read. */
  fromCache: number;
  seconds: number;
  /** sha256 over every text, each followed by a newline (as sha256Lines). */
  sha256: string;
  /** The first text. */
  example: string;
}

/**
 * Embed a corpus read as a stream, into the embedding cache, holding one window of texts at a time: the vectors
 * stay in the store's segment files and come back block by block (`StoredVectors`). Within a window, misses are
 * encoded as `embedTexts` encodes them (canonical order, chunks persisted as they finish), so an interrupted run
 * resumes where it stopped and ends with the vectors of an uninterrupted one. Vectors lost later in the run (a
 * segment that fails its checksum when its block is read, or removed by another process) are encoded again from a
 * new pass over the texts (`heal`), so the run still finishes with every vector.
 */
export async function embedCorpus(req: CorpusEmbedRequest): Promise<CorpusEmbedOutcome> {
  const started = performance.now();
  const { encoder, count } = req;
  const dim = encoder.info.dimension;
  const parts = keyPartsOf(encoder.info);
  const configHex = configHash(parts);
  const windowSize = req.window ?? ENCODE_WINDOW;
  const ownedDir = req.cacheDir === null ? await mkdtemp(join(tmpdir(), 'beir-bench-vectors-')) : null;
  const owned = ownedDir ? { dir: ownedDir, release: removeOnSignal(ownedDir) } : null;
  const dir = ownedDir ?? storeDir(req.cacheDir!, req.namespace, parts.model, configHex);
  const store = await VectorStore.open(dir, req.namespace, parts, dim);
  const rowKeys = Buffer.alloc(count * KEY_BYTES);
  const sha = createHash('sha256');
  let example = '';
  let row = 0;
  let encoded = 0;
  let fromCache = 0;
  /** The window's texts with their cache keys (hex). */
  let window: [string, string][] = [];

  const progress = startProgress({ label: req.label, total: count, unit: 'passages', quiet: req.quiet });
  const flush = async () => {
    await store.refresh(); // segments another process wrote meanwhile are not encoded again
    const textByKey = new Map<string, string>();
    const missing: string[] = [];
    for (const [t, key] of window) {
      if (store.has(key)) (fromCache++, progress.tick(1));
      else if (!textByKey.has(key)) (textByKey.set(key, t), missing.push(key));
      else progress.tick(1);
    }
    await encodeMissing(encoder, missing, textByKey, store, req.chunkSize ?? DEFAULT_CHUNK_SIZE, progress, () => {});
    encoded += missing.length;
    window = [];
  };
  try {
    for await (const text of req.texts()) {
      if (row === count) throw new Error(`embedCorpus: more than ${count} texts`);
      if (row === 0) example = text;
      sha.update(text).update('\n');
      const key = entryKey(configHex, text);
      key.copy(rowKeys, row * KEY_BYTES);
      row++;
      window.push([text, key.toString('hex')]);
      if (window.length === windowSize) await flush();
    }
    await flush();
  } catch (err) {
    if (owned) {
      await rm(owned.dir, { recursive: true, force: true });
      owned.release();
    }
    throw err;
  } finally {
    progress.stop();
  }
  if (row !== count) throw new Error(`embedCorpus: ${row} texts, expected ${count}`);

  /** Encode the texts of `keys` again (another pass over the texts finds them) into the store. */
  const heal = async (keys: Set<string>): Promise<void> => {
    await store.refresh();
    const lost = new Set([...keys].filter((k) => !store.has(k)));
    const textByKey = new Map<string, string>();
    for await (const text of req.texts()) {
      const key = entryKey(configHex, text).toString('hex');
      if (lost.has(key)) textByKey.set(key, text);
      if (textByKey.size === lost.size) break;
    }
    console.warn(`warning: encoding ${textByKey.size} vectors again that the embedding cache lost during the run (${store.dir})`);
    const again = startProgress({ label: `${req.label} (encoding ${textByKey.size} lost vectors again)`, total: textByKey.size, unit: 'passages', quiet: req.quiet });
    try {
      await encodeMissing(encoder, [...textByKey.keys()], textByKey, store, req.chunkSize ?? DEFAULT_CHUNK_SIZE, again, () => {});
    } finally {
      again.stop();
    }
  };
  return {
    vectors: new StoredVectors(store, rowKeys, count, dim, heal, owned),
    encoded,
    fromCache,
    seconds: (performance.now() - started) / 1000,
    sha256: sha.digest('hex'),
    example,
  };
}

/**
 * What identifies a remote endpoint's vectors in the embedding cache: not its URL (the same URL can serve another
 * model tomorrow) but the vectors it returns for a few fixed probe strings, asked at the start of every run.
 *
 * Servers need not be bit-deterministic (GPU kernels, batch composition), so a fingerprint is matched with a
 * tolerance: probe vectors within SAME_VECTORS_COSINE of ones seen before reuse that fingerprint (and the cache
 * entries under it); anything else, e.g. the int8 weights of the same model (cosine about 0.998), gets a new one.
 * Known fingerprints are kept in `<embedding cache>/remote-fingerprints.json`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { withLock } from '../file-lock.js';
import type { InputType } from '../models/input-text.js';

/** Sent exactly as written (with the request's input_type, if any); changing them changes every remote cache key. */
export const PROBE_TEXTS: readonly string[] = Object.freeze([
  'beir-bench probe',
  'How does the immune system respond to a viral infection?',
  'Vitamin D deficiency is associated with an increased risk of fractures in older adults, according to a large cohort study.',
]);

/** Probe vectors this close (cosine, every probe) are the same model answering. */
export const SAME_VECTORS_COSINE = 0.9999;

const REGISTRY_FILE = 'remote-fingerprints.json';

/** Which answers a fingerprint is for. */
export interface ProbeKey {
  /** The model id the endpoint answers with. */
  model: string;
  inputType: InputType | null;
  dimension: number;
}

interface KnownProbe extends ProbeKey {
  fingerprint: string;
  vectors: number[];
}

/** 16 hex digits of sha256 over the exact float32 probe vectors. */
export function exactFingerprint(vectors: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength)).digest('hex').slice(0, 16);
}

/** The lowest cosine between corresponding rows of two row-major matrices. */
export function minRowCosine(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): number {
  let min = 1;
  for (let r = 0; r * dim < a.length; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = r * dim; d < (r + 1) * dim; d++) {
      dot += a[d] * b[d];
      na += a[d] * a[d];
      nb += b[d] * b[d];
    }
    min = Math.min(min, na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb));
  }
  return min;
}

export function sameVectors(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): boolean {
  return a.length === b.length && minRowCosine(a, b, dim) >= SAME_VECTORS_COSINE;
}

/**
 * The fingerprint of these probe vectors: the one recorded earlier for matching vectors of the same key, else a
 * new one (recorded). Without a cache folder there is nothing to reuse: the exact fingerprint.
 */
export async function resolveFingerprint(cacheDir: string | null, key: ProbeKey, vectors: Float32Array): Promise<string> {
  const exact = exactFingerprint(vectors);
  if (cacheDir === null) return exact;
  const file = join(cacheDir, REGISTRY_FILE);
  // Read, add and write under the registry's lock: two runs adding at once both keep their entries.
  return withLock(file, async () => {
    const known = await readRegistry(file);
    const sameKey = (k: KnownProbe) => k.model === key.model && k.inputType === key.inputType && k.dimension === key.dimension;
    const match = known.find((k) => sameKey(k) && sameVectors(k.vectors, vectors, key.dimension));
    if (match) return match.fingerprint;
    known.push({ ...key, fingerprint: exact, vectors: Array.from(vectors) });
    await writeFileAtomic(file, `${JSON.stringify(known)}\n`);
    return exact;
  });
}

async function readRegistry(file: string): Promise<KnownProbe[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as KnownProbe[]) : [];
  } catch (err) {
    // Missing: nothing known yet. Unreadable: start over (its entries only cost cache misses).
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
    return [];
  }
}

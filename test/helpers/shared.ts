import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';

/** The repo root (tests live in test/ or test/<area>/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/**
 * The workplace's shared/ folder, which sits beside the clone (`../shared`), never copied into the repo.
 * BEIR_BENCH_SHARED overrides it.
 */
export const SHARED_DIR = process.env.BEIR_BENCH_SHARED || resolve(REPO_ROOT, '..', 'shared');

/** Real BEIR data: `<SHARED_BEIR>/<dataset>/{corpus.jsonl,queries.jsonl,qrels/}`. */
export const SHARED_BEIR = join(SHARED_DIR, 'beir');

const MISSING = `shared data not found at ${SHARED_BEIR}: clone the repo beside shared/ or set BEIR_BENCH_SHARED`;

/** For fixture generators (scripts): stop with a clear message when the shared data is absent. */
export function requireShared(): void {
  if (!existsSync(SHARED_BEIR)) throw new Error(MISSING);
}

let warned = false;

/**
 * Whether the shared BEIR data is there. When it is not, tests that need it are skipped, never failed, and the
 * first call in a test file says so on stderr (a skip is never silent).
 */
export function hasSharedBeir(): boolean {
  const present = existsSync(SHARED_BEIR);
  if (!present && !warned) {
    console.warn(`[skipped] tests reading real BEIR data: ${MISSING}`);
    warned = true;
  }
  return present;
}

/** `describe` for tests reading SHARED_BEIR: skipped, with a warning, when it is absent. */
export function describeWithShared(name: string, fn: () => void): void {
  describe.skipIf(!hasSharedBeir())(name, fn);
}

/** `it` for a test reading SHARED_BEIR: skipped, with a warning, when it is absent. */
export function itWithShared(name: string, fn: () => Promise<void> | void, timeout?: number): void {
  it.skipIf(!hasSharedBeir())(name, fn, timeout);
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The repo root (tests live in test/ or test/<area>/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/**
 * The workplace's shared/ folder, which sits beside the clone (`../shared`), never copied into the repo.
 * BEIR_BENCH_SHARED overrides it.
 */
export const SHARED_DIR = process.env.BEIR_BENCH_SHARED ?? resolve(REPO_ROOT, '..', 'shared');

export const SHARED_BEIR = join(SHARED_DIR, 'beir');

export function requireShared(): void {
  if (!existsSync(SHARED_BEIR)) {
    throw new Error(`shared data not found at ${SHARED_BEIR}: clone the repo beside shared/ or set BEIR_BENCH_SHARED`);
  }
}

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/** A temp path next to `target` (same filesystem, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Temp files/folders being written right now. A `finally` does not run when Ctrl-C kills the process,
 * so a signal handler removes them synchronously; otherwise a half-written file would stay behind.
 */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
  uninstall();
  // Re-raise so the process still dies by the signal, unless someone else (e.g. the CLI) handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Run `fn` that writes to `tempPath` (a file or a folder) and, on success, renames it into place. The temp
 * path is removed when `fn` fails or the process gets SIGINT/SIGTERM/SIGHUP meanwhile. Every writer of the
 * project goes through this, so no failure or Ctrl-C leaves a half-written file or folder behind.
 */
export async function withTempPath<T>(tempPath: string, fn: () => Promise<T>): Promise<T> {
  const release = removeOnSignal(tempPath);
  try {
    return await fn();
  } catch (err) {
    await rm(tempPath, { recursive: true, force: true });
    throw err;
  } finally {
    release();
  }
}

/**
 * Remove `path` (a file or folder) if the process gets SIGINT/SIGTERM/SIGHUP before the returned function is
 * called: for temporary data that lives longer than one call (a run's temporary vector store).
 */
export function removeOnSignal(path: string): () => void {
  if (pending.size === 0) install();
  pending.add(path);
  return () => {
    if (!pending.delete(path)) return;
    if (pending.size === 0) uninstall();
  };
}

/** Write a file so that readers see either the old content or the complete new one, never half of it. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  await withTempPath(tmp, async () => {
    await writeFile(tmp, data);
    await rename(tmp, target);
  });
}

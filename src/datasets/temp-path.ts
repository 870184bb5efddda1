import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Temp files/folders being written right now. A `finally` does not run when Ctrl-C kills the process,
 * so a signal handler removes them synchronously; otherwise a half-written download would stay in the cache.
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
 * Run `fn` that writes to `tempPath` and (on success) renames it into place. The temp path is removed
 * when `fn` fails or the process gets SIGINT/SIGTERM/SIGHUP meanwhile.
 */
export async function withTempPath<T>(tempPath: string, fn: () => Promise<T>): Promise<T> {
  if (pending.size === 0) install();
  pending.add(tempPath);
  try {
    return await fn();
  } catch (err) {
    await rm(tempPath, { recursive: true, force: true });
    throw err;
  } finally {
    pending.delete(tempPath);
    if (pending.size === 0) uninstall();
  }
}

/** Undo work in progress when the process is interrupted (Ctrl-C, kill): what atomic files and locks rely on. */
import { rmdirSync, rmSync } from 'node:fs';

/**
 * What to undo, synchronously, if the process gets a signal, by path: remove temp files/folders being written, a
 * claimed folder name not filled yet, cut an append back. A `finally` does not run when Ctrl-C kills the process,
 * so a signal handler does it; otherwise a half-written file would stay behind.
 */
const pending = new Map<string, () => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const undo of pending.values()) {
    try {
      undo();
    } catch {
      // already gone, or (a claimed folder) already filled
    }
  }
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
 * Run `undo` (synchronous; an exception is ignored) if the process gets SIGINT/SIGTERM/SIGHUP before the returned
 * function is called. `key` (a path) identifies the registration.
 */
export function undoOnSignal(key: string, undo: () => void): () => void {
  if (pending.size === 0) install();
  pending.set(key, undo);
  return () => {
    if (pending.get(key) !== undo) return;
    pending.delete(key);
    if (pending.size === 0) uninstall();
  };
}

/**
 * Remove `path` (a file or folder) if the process gets SIGINT/SIGTERM/SIGHUP before the returned function is
 * called: for temporary data that lives longer than one call (a run's temporary vector store, a lock file).
 * `empty`: remove it only if it is an empty folder then (a claimed name, never a folder completed meanwhile).
 */
export function removeOnSignal(path: string, kind: 'tree' | 'empty' = 'tree'): () => void {
  return undoOnSignal(path, kind === 'tree' ? () => rmSync(path, { recursive: true, force: true }) : () => rmdirSync(path));
}

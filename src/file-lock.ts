/**
 * A lock shared by processes: the file `.<name>.lock` beside the path it guards, holding the owner's pid, host and
 * start time. It is created as a hard link to a temp file already holding them: link(2) fails when the lock
 * exists, so exactly one process gets it, and it never exists half-written. From before it exists to after it is
 * removed, a signal removes it if, and only if, it is this process's. Locks guard short critical sections only
 * (read-modify-write of a small file, a rename): never held while encoding or searching, so waiting is brief.
 *
 * A lock whose owner died (same host, pid gone) or that is older than STALE_MS (its owner was killed on another host,
 * or froze) is broken. Breaking renames the lock file to a unique name first and checks it is still the dead
 * owner's, so two processes breaking the same stale lock cannot remove a fresh one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { undoOnSignal } from './undo-on-signal.js';
import { UserError } from './errors.js';

/** Older than this, a lock is stale whoever holds it: critical sections take milliseconds. */
const STALE_MS = 60_000;
/** Give up waiting after this long (a live owner holding a lock this long is stuck). */
const DEFAULT_WAIT_MS = 120_000;

export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

/** Run `fn` while holding the lock of `target` (a file or folder, which need not exist). */
export async function withLock<T>(target: string, fn: () => Promise<T>, opts: { waitMs?: number } = {}): Promise<T> {
  const lock = lockPathFor(target);
  await mkdir(dirname(lock), { recursive: true });
  const owner = `${process.pid} ${hostname()} ${Date.now()} ${randomBytes(4).toString('hex')}\n`;
  const draft = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const ours = () => readFileSync(lock, 'utf8') === owner;
  const release = undoOnSignal(draft, () => {
    rmSync(draft, { force: true });
    if (ours()) unlinkSync(lock);
  });
  try {
    await writeFile(draft, owner);
    await acquire(target, lock, draft, opts.waitMs ?? DEFAULT_WAIT_MS);
    await unlink(draft);
    return await fn();
  } finally {
    // Only our own lock: if it was broken as stale and taken by another process, leave theirs alone.
    if ((await readFile(lock, 'utf8').catch(() => null)) === owner) await unlink(lock).catch(() => {});
    await rm(draft, { force: true });
    release();
  }
}

/** Link `draft` as `lock`, waiting while a live process holds it and breaking a stale one. */
async function acquire(target: string, lock: string, draft: string, waitMs: number): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await link(draft, lock);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await readFile(lock, 'utf8').catch(() => null);
    if (held === null) continue; // released meanwhile
    if (await isStale(lock, held)) {
      await breakLock(lock, held);
      continue;
    }
    if (Date.now() - started > waitMs) {
      const [pid, host] = held.split(' ');
      throw new UserError(`${target} is locked by process ${pid} on ${host} (${lock}); if that process is gone, delete the lock file`);
    }
    await new Promise((ok) => setTimeout(ok, Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
  }
}

async function isStale(lock: string, held: string): Promise<boolean> {
  const [pid, host] = held.split(' ');
  if (host === hostname() && /^\d+$/.test(pid) && !isAlive(Number(pid))) return true;
  const s = await stat(lock).catch(() => null);
  return s !== null && Date.now() - s.mtimeMs > STALE_MS;
}

/** Remove the stale lock `held`, unless another process replaced it meanwhile (then put that one back). */
async function breakLock(lock: string, held: string): Promise<void> {
  const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.broken`;
  try {
    await rename(lock, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  if (moved !== held) await link(aside, lock).catch(() => {});
  await unlink(aside).catch(() => {});
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

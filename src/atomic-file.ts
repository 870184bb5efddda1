import { randomBytes } from 'node:crypto';
import { truncateSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, rmdir, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';
import { withLock } from './file-lock.js';
import { removeOnSignal, undoOnSignal } from './undo-on-signal.js';

/**
 * How the project writes files and folders (docs/RELIABILITY.md): everything is written under a temp name beside
 * its target and renamed into place, so readers see nothing or the whole thing; temp names are removed on failure
 * and on Ctrl-C. Then, by kind of target:
 *   - a file the project owns (cache segment, downloaded zip, run file): renamed over its target (same content or
 *     a newer version of it);
 *   - a folder named by the run (`publishFolder` with `unique`): a name nobody holds, never replacing anything;
 *   - an output the user named (`replaceIfUnchanged`): replaced only if it is still what this command saw when it
 *     started, so of two processes writing it at once one fails clearly instead of silently replacing the other.
 */

/** A temp path next to `target` (same filesystem, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}


const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** A failure the user can fix (a full disk, a read-only or forbidden folder) as one line naming what was written. */
export function explainWriteFailure(err: unknown, target: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (err instanceof UserError || !code || !(code in WRITE_FAILURES)) return err;
  return new UserError(`cannot write ${target}: ${WRITE_FAILURES[code]} (${code}); nothing was left half-written`, { cause: err });
}

/**
 * Run `fn(tmp)`, which writes the file or folder `tmp` (a temp name beside `target`) and usually renames it into
 * place. `tmp` is removed when `fn` fails or the process gets SIGINT/SIGTERM/SIGHUP meanwhile. Every writer of the
 * project goes through this, so no failure or Ctrl-C leaves a half-written file or folder behind.
 */
export async function withTempPath<T>(target: string, fn: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(target);
  const release = removeOnSignal(tmp);
  try {
    return await fn(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw explainWriteFailure(err, target);
  } finally {
    release();
  }
}

/** Write a file so that readers see either the old content or the complete new one, never half of it. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true }).catch((err) => {
    throw explainWriteFailure(err, target);
  });
  await withTempPath(target, async (tmp) => {
    await writeFile(tmp, data);
    await rename(tmp, target);
  });
}

/**
 * Append `text` (whole records, e.g. JSON lines) to `file` so that concurrent appenders never interleave and a
 * failure or Ctrl-C leaves none of it: under the file's lock, cut back to the previous size if the write fails.
 */
export async function appendWhole(file: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await withLock(file, async () => {
      const size = (await stat(file).catch(() => null))?.size ?? 0;
      const release = undoOnSignal(file, () => truncateSync(file, size));
      try {
        await appendFile(file, text);
      } catch (err) {
        await truncate(file, size).catch(() => {});
        throw err;
      } finally {
        release();
      }
    });
  } catch (err) {
    throw explainWriteFailure(err, file);
  }
}

/** `base`, then `base-2`, `base-3`, ...: sorted after `base`, in the order they were taken. */
function* suffixed(base: string): Generator<string> {
  yield base;
  for (let n = 2; ; n++) yield `${base}-${n}`;
}

/**
 * Write a folder as a whole under a name nobody holds: the first of `dir`, `dir-2`, `dir-3`, ... that does not exist
 * is claimed (mkdir, which exactly one process can do for a name), `fill(tmp, name)` writes the content into a temp
 * folder knowing the final name, and the temp folder is renamed over the claimed (still empty) one. Nothing that
 * exists is removed or replaced; on failure or Ctrl-C neither the temp folder nor the claim is left behind.
 * Without `unique`, an existing `dir` is an error. Returns the folder written.
 */
export async function publishFolder(dir: string, fill: (tmp: string, dir: string) => Promise<void>, opts: { unique: boolean }): Promise<string> {
  await mkdir(dirname(dir), { recursive: true }).catch((err) => {
    throw explainWriteFailure(err, dir);
  });
  let claimed: string | null = null;
  for (const name of opts.unique ? suffixed(dir) : [dir]) {
    try {
      await mkdir(name);
      claimed = name;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw explainWriteFailure(err, name);
    }
  }
  if (claimed === null) throw new UserError(`${dir} already exists: choose another folder`);
  const release = removeOnSignal(claimed, 'empty');
  try {
    await withTempPath(claimed, async (tmp) => {
      await mkdir(tmp);
      await fill(tmp, claimed);
      await rename(tmp, claimed); // replaces only the empty folder claimed above
    });
    return claimed;
  } catch (err) {
    await rmdir(claimed).catch(() => {});
    throw err;
  } finally {
    release();
  }
}

/** What a path was when a command looked at it: absent, or which inode with which change time. */
export type PathState = { ino: number; ctimeMs: number } | null;

export async function pathState(path: string): Promise<PathState> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  return s && { ino: s.ino, ctimeMs: s.ctimeMs };
}

const sameState = (a: PathState, b: PathState) => (a === null ? b === null : b !== null && a.ino === b.ino && a.ctimeMs === b.ctimeMs);

/** Throw (a UserError) unless `target` is still as `seen`; call it holding `target`'s lock. Returns its state. */
export async function checkUnchanged(target: string, seen: PathState): Promise<PathState> {
  const now = await pathState(target);
  if (!sameState(now, seen)) {
    throw new UserError(`${target} was ${seen ? 'changed' : 'created'} by another process while this one ran: not replaced, nothing written (run again to replace it)`);
  }
  return now;
}

/**
 * Move `tmp` (a finished file or folder) to `target`, an output the user named, replacing what is there only if it is
 * still what `seen` recorded when the command started: another process that wrote `target` meanwhile is not silently
 * overwritten; this one fails with a clear error and writes nothing. The check and the swap hold `target`'s lock
 * (src/file-lock.ts). A folder is swapped by renaming the old one aside first, so `target` is never half of either.
 */
export async function replaceIfUnchanged(tmp: string, target: string, seen: PathState): Promise<void> {
  await withLock(target, async () => {
    const now = await checkUnchanged(target, seen);
    if (now === null || !(await stat(target)).isDirectory()) {
      await rename(tmp, target);
      return;
    }
    const aside = tempPathFor(target);
    await rename(target, aside);
    try {
      await rename(tmp, target);
    } catch (err) {
      await rename(aside, target);
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
  });
}

/** `writeFileAtomic` for an output the user named: replaced only if still as `seen` (see `replaceIfUnchanged`). */
export async function writeFileIfUnchanged(target: string, data: string | Uint8Array, seen: PathState): Promise<void> {
  await mkdir(dirname(target), { recursive: true }).catch((err) => {
    throw explainWriteFailure(err, target);
  });
  await withTempPath(target, async (tmp) => {
    await writeFile(tmp, data);
    await replaceIfUnchanged(tmp, target, seen);
  });
}

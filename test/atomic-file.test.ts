/**
 * How outputs are written when processes write the same place at once (src/atomic-file.ts, src/file-lock.ts;
 * docs/RELIABILITY.md), with real processes started together.
 */
import { execFile, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendWhole, pathState, publishFolder, replaceIfUnchanged, writeFileIfUnchanged } from '../src/atomic-file.js';
import { UserError } from '../src/errors.js';
import { lockPathFor, withLock } from '../src/file-lock.js';
import { smallDisk } from './faults/small-disk.js';
import { REPO_ROOT } from './helpers/shared.js';

const exec = promisify(execFile);
const writer = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', 'test/helpers/concurrent-writer.ts', ...args], { cwd: REPO_ROOT });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('publishFolder', () => {
  it('gives processes claiming one name at once each a folder of its own: the name, then -2, -3, ...', async () => {
    const base = join(dir, 'runs', '20261206-120000-scifact-e5-small-v2');
    const written = await Promise.all([1, 2, 3, 4].map((i) => writer('publish', base, `writer ${i}`).then((r) => r.stdout.trim())));
    expect([...written].sort()).toEqual([base, `${base}-2`, `${base}-3`, `${base}-4`]);
    const tags = await Promise.all(written.map((d) => readFile(join(d, 'tag.txt'), 'utf8')));
    expect(tags.sort()).toEqual(['writer 1', 'writer 2', 'writer 3', 'writer 4']);
    expect((await readdir(join(dir, 'runs'))).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('never touches what exists, and removes its claim and temp folder when filling fails', async () => {
    const base = join(dir, 'kept');
    await mkdir(base);
    await writeFile(join(base, 'mine.txt'), 'user data');
    await expect(publishFolder(base, async () => {}, { unique: false })).rejects.toThrow(`${base} already exists`);
    await expect(publishFolder(base, async () => Promise.reject(new Error('render failed')), { unique: true })).rejects.toThrow('render failed');
    expect(await readdir(dir)).not.toContain('kept-2');
    expect((await readdir(dir)).filter((n) => n.startsWith('.kept'))).toEqual([]);
    expect(await readFile(join(base, 'mine.txt'), 'utf8')).toBe('user data');
  });
});

describe('appendWhole', () => {
  it('four processes appending at once: every record whole, none lost, each writer\'s in its order', async () => {
    const file = join(dir, 'history.jsonl');
    await Promise.all(['a', 'b', 'c', 'd'].map((tag) => writer('append', file, '150', tag)));
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(600);
    const records = lines.map((l) => JSON.parse(l) as { tag: string; i: number });
    for (const tag of ['a', 'b', 'c', 'd']) expect(records.filter((r) => r.tag === tag).map((r) => r.i)).toEqual([...Array(150).keys()]);
    expect(await readdir(dir)).not.toContain(lockPathFor(file).split('/').at(-1));
  }, 120_000);

  it('a write cut short by a full disk is undone: the file keeps its earlier records only, and the error says why', async () => {
    const disk = await smallDisk(64 * 1024);
    try {
      if (disk.how !== 'tmpfs') return void console.warn('[skipped] a partial append needs a real full disk: mounting a tmpfs is not permitted here');
      const file = join(disk.dir, 'history.jsonl');
      await appendWhole(file, '{"night": 1}\n');
      await disk.fill(8 * 1024);
      // 32 kB where 8 kB fit: the kernel writes what fits, then the next write fails with ENOSPC.
      const err = await appendWhole(file, `${JSON.stringify({ night: 2, pad: 'x'.repeat(32 * 1024) })}\n`).catch((e) => e);
      expect(err).toBeInstanceOf(UserError);
      expect(err.message).toBe(`cannot write ${file}: no space left on the device (ENOSPC); nothing was left half-written`);
      expect(await readFile(file, 'utf8')).toBe('{"night": 1}\n');
    } finally {
      await disk.release();
    }
  });
});

describe('withLock', () => {
  it('waits for a live holder, and breaks the lock of a process that died holding it', async () => {
    const target = join(dir, 'locked.json');
    const holder = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/concurrent-writer.ts', 'hold', target, '1500'], { cwd: REPO_ROOT });
    await new Promise<void>((ok) => holder.stdout.on('data', () => ok()));
    const t0 = Date.now();
    await withLock(target, async () => {});
    expect(Date.now() - t0).toBeGreaterThan(500);

    // A lock file left by a process that no longer exists (pid 2^22 + 1 is above Linux's pid_max).
    await writeFile(lockPathFor(target), `4194305 ${hostname()} ${Date.now()} dead\n`);
    let ran = false;
    await withLock(target, async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    await expect(stat(lockPathFor(target))).rejects.toThrow('ENOENT');
  }, 60_000);

  it('gives up on a live holder with a UserError naming the lock file', async () => {
    const target = join(dir, 'busy.json');
    await writeFile(lockPathFor(target), `${process.ppid} ${hostname()} ${Date.now()} live\n`);
    const err = await withLock(target, async () => {}, { waitMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`${target} is locked by process ${process.ppid} on ${hostname()} (${lockPathFor(target)}); if that process is gone, delete the lock file`);
    await rm(lockPathFor(target));
  });
});

describe('replaceIfUnchanged', () => {
  it('replaces a file or a folder that is as the command saw it, and refuses one another process wrote meanwhile', async () => {
    const file = join(dir, 'regress.xml');
    await writeFile(file, 'yesterday');
    const seen = await pathState(file);
    await writeFileIfUnchanged(file, 'tonight', seen);
    expect(await readFile(file, 'utf8')).toBe('tonight');
    // `seen` is stale now: tonight's file was written after it was taken.
    const err = await writeFileIfUnchanged(file, 'late', seen).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`${file} was changed by another process while this one ran: not replaced, nothing written (run again to replace it)`);
    expect(await readFile(file, 'utf8')).toBe('tonight');
    const fresh = join(dir, 'new.xml');
    const absent = await pathState(fresh);
    await writeFile(fresh, 'the other process\'s');
    const created = await writeFileIfUnchanged(fresh, 'mine', absent).catch((e) => e);
    expect(created.message).toMatch(/new\.xml was created by another process/);
    expect(await readFile(fresh, 'utf8')).toBe('the other process\'s');

    const folder = join(dir, 'report');
    const seenFolder = await pathState(folder);
    for (const [name, text] of [['a', 'first'], ['b', 'second']]) {
      const tmp = join(dir, `.tmp-${name}`);
      await mkdir(tmp);
      await writeFile(join(tmp, 'report.md'), text);
      const before = name === 'a' ? seenFolder : await pathState(folder);
      await replaceIfUnchanged(tmp, folder, before);
    }
    expect(await readFile(join(folder, 'report.md'), 'utf8')).toBe('second');
    expect((await readdir(dir)).filter((n) => n.startsWith('.report') || n.startsWith('.tmp-'))).toEqual([]);
  });
});

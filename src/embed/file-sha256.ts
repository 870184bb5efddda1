import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';

interface Sidecar {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * sha256 of a (large) file, remembered in `<file>.sha256.json` so that reloading a model does not re-hash 100+ MB.
 * The sidecar is keyed by size, mtime and inode: a replaced file gets a new inode even when unzip restores its
 * size and mtime. A sidecar that cannot be written (read-only folder) only costs a re-hash next time.
 */
export async function fileSha256(path: string): Promise<string> {
  const { size, mtimeMs, ino } = await stat(path);
  const sidecar = `${path}.sha256.json`;
  try {
    const cached = JSON.parse(await readFile(sidecar, 'utf8')) as Sidecar;
    if (cached.size === size && cached.mtimeMs === mtimeMs && cached.ino === ino && /^[0-9a-f]{64}$/.test(cached.sha256)) return cached.sha256;
  } catch {
    // absent or unreadable: hash below
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  await writeFileAtomic(sidecar, JSON.stringify({ size, mtimeMs, ino, sha256 } satisfies Sidecar)).catch(() => {});
  return sha256;
}

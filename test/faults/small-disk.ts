/**
 * A folder on a nearly full disk: a size-limited tmpfs mounted for the test when the process may mount (root),
 * filled up to the free space a case wants; otherwise an ordinary folder whose writes fail with ENOSPC past the
 * same budget (the inject.ts preload). Either way the CLI under test meets a real ENOSPC at its write call.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, rmdir, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const INJECT = fileURLToPath(new URL('./inject.ts', import.meta.url));

export interface SmallDisk {
  dir: string;
  how: 'tmpfs' | 'injected ENOSPC';
  /** What the CLI child needs (startCli options). */
  child(): { env: NodeJS.ProcessEnv; preload: string[] };
  /** Leave about `bytes` free for the next run. */
  fill(bytes: number): Promise<void>;
  /** Free the space again. */
  unfill(): Promise<void>;
  release(): Promise<void>;
}

export async function smallDisk(sizeBytes: number): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'beir-bench-full-disk-'));
  const filler = join(dir, 'filler');
  const mounted = await exec('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]).then(
    () => true,
    () => false,
  );
  let budget: number | null = null;
  return {
    dir,
    how: mounted ? 'tmpfs' : 'injected ENOSPC',
    child: () => (mounted || budget === null ? { env: {}, preload: [] } : { env: { BEIR_BENCH_INJECT_ENOSPC: `${dir}:${budget}` }, preload: [INJECT] }),
    async fill(bytes) {
      if (!mounted) {
        budget = bytes;
        return;
      }
      const s = await statfs(dir);
      await writeFile(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - bytes)));
    },
    async unfill() {
      budget = null;
      await rm(filler, { force: true });
    },
    async release() {
      if (mounted) await exec('umount', [dir]);
      if (mounted) await rmdir(dir);
      else await rm(dir, { recursive: true, force: true });
    },
  };
}

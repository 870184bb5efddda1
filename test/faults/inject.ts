/**
 * Fault injection at the write call, loaded into a CLI child process with `--import` (harness.ts `startCli`
 * `preload`). It wraps `fs.promises.writeFile` (what src/atomic-file.ts and the results writer call) and
 * publishes the wrapper to ES module importers (`syncBuiltinESMExports`). Set by environment variables:
 *
 *   BEIR_BENCH_INJECT_SIGNAL=SIGINT:results.json   once a file whose name ends with `results.json` is written,
 *       the process sends itself SIGINT and the write never returns: a Ctrl-C in the middle of writing results.
 *   BEIR_BENCH_INJECT_ENOSPC=<dir>:<bytes>           writes under <dir> fail with ENOSPC once <bytes> have been
 *       written there: a full disk, where a size-limited tmpfs cannot be mounted (not root).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

const writeFile = fs.promises.writeFile;
type WriteArgs = Parameters<typeof writeFile>;

const [signal, suffix] = process.env.BEIR_BENCH_INJECT_SIGNAL?.split(':') ?? [];
const enospc = /^(.*):(\d+)$/.exec(process.env.BEIR_BENCH_INJECT_ENOSPC ?? '');
const full = enospc ? { dir: resolve(enospc[1]), left: Number(enospc[2]) } : null;

fs.promises.writeFile = async function injected(...args: WriteArgs): Promise<void> {
  const [file, data] = args;
  const path = typeof file === 'string' ? resolve(file) : '';
  if (full && path.startsWith(full.dir)) {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength;
    if (bytes > full.left) {
      full.left = 0;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path });
    }
    full.left -= bytes;
  }
  await writeFile(...args);
  if (signal && suffix && path.endsWith(suffix)) {
    process.kill(process.pid, signal);
    // Never returns: the signal's handler ends the process (a live timer keeps the event loop waiting for it).
    await new Promise(() => setInterval(() => {}, 1000));
  }
};
syncBuiltinESMExports();

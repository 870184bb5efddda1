import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/http-server.js';

let server: TestServer | undefined;
let dir: string | undefined;

afterEach(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('Ctrl-C during a download leaves no partial file in the cache', async () => {
  // Sends half of a 2 MB "zip", then stalls until the client goes away.
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-length': 2_000_000 });
    res.write(Buffer.alloc(1_000_000, 1));
  });
  dir = await mkdtemp(join(tmpdir(), 'beir-int-'));
  const cache = join(dir, 'cache');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers/download-child.ts'), `${server.baseUrl}x.zip`, join(cache, 'x.zip'), '0'.repeat(32)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal })),
  );

  // The temp file exists and holds data once the first bytes arrived.
  await waitFor(async () => (await readdir(cache).catch(() => [])).some((n) => n.endsWith('.tmp')), 'the temp file');
  child.kill('SIGINT');
  const { code, signal } = await exited;

  expect({ code, signal, stderr }).toMatchObject({ signal: 'SIGINT' });
  expect(await readdir(cache)).toEqual([]);
});

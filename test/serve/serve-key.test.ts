/**
 * `beir-bench serve` with an API key, as a real process: the key from a file or the environment (never in its
 * command line), 401 without it, and no key in its output; a non-loopback address without a key is refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const modelsDir = warnIfNoModels('beir-bench serve with an API key');
const KEY = 'serve-test-key-7f3a9c1e5b';

describe('beir-bench serve on a non-loopback address', () => {
  it('is refused without a key, in one line naming the three ways out', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { BEIR_BENCH_SERVE_API_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines and the server has no API key: set \$BEIR_BENCH_SERVE_API_KEY or --api-key-file, or pass --open/);
  });

  it('--open lets it through (it goes on to load the model: here, one that is missing)', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--open', '--models-dir', '/nonexistent/beir-bench-models'], { BEIR_BENCH_SERVE_API_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/no API key/);
    expect(r.stderr).toMatch(/not found in \/nonexistent\/beir-bench-models \(--models-dir\)/);
  });
});

describe.skipIf(!modelsDir)('beir-bench serve with an API key', () => {
  let dir: string;
  const servers: ServeProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-serve-key-'));
    await writeFile(join(dir, 'key'), `${KEY}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const embed = (url: string, authorization?: string) =>
    fetch(`${url}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ input: ['query: what is a vaccine'] }) });

  for (const [how, args, env] of [
    ['--api-key-file', () => ['--api-key-file', join(dir, 'key')], {}],
    ['$BEIR_BENCH_SERVE_API_KEY', () => [], { BEIR_BENCH_SERVE_API_KEY: KEY }],
  ] as const) {
    it(`key from ${how}: 401 without it or with another, 200 with it; /health open; the key in no output and not in ps`, async () => {
      const serve = await startServe(['--models-dir', modelsDir!, '--threads', '1', '--embed-cache-dir', join(dir, 'cache'), ...args()], env);
      servers.push(serve);
      expect(serve.stderr()).toContain('API key required (Authorization: Bearer)');
      expect(serve.child.spawnargs.join(' ')).not.toContain(KEY);

      for (const authorization of [undefined, 'Bearer wrong-key', KEY, `Basic ${KEY}`]) {
        const r = await embed(serve.url, authorization);
        expect(r.status, String(authorization)).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
        const body = await r.text();
        expect(JSON.parse(body).error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
        expect(body).not.toContain(KEY);
      }
      const models = await fetch(`${serve.url}/models`);
      expect(models.status).toBe(401);
      const ok = await embed(serve.url, `Bearer ${KEY}`);
      expect(ok.status).toBe(200);
      expect((await ok.json()).data[0].embedding).toHaveLength(384);
      expect((await fetch(serve.url.replace(/\/v1$/, '/health'))).status).toBe(200);
      await serve.stop();
      expect(serve.stderr()).not.toContain(KEY);
    }, 120_000);
  }
});

/** Where `serve`'s API key comes from, how a Bearer header is checked, which hosts are loopback. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerMatches, isLoopbackHost, newApiKey, readServeKey, SERVE_API_KEY_ENV } from '../../src/serve/api-key.js';

describe('serve API key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-key-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('comes from the environment variable or the first line of a file, never both', async () => {
    expect(readServeKey(undefined, {})).toBeNull();
    expect(readServeKey(undefined, { [SERVE_API_KEY_ENV]: 'from-env' })).toBe('from-env');
    const file = join(dir, 'key');
    await writeFile(file, '  from-file \r\nsecond line\n');
    expect(readServeKey(file, {})).toBe('from-file');
    expect(() => readServeKey(file, { [SERVE_API_KEY_ENV]: 'from-env' })).toThrow(/--api-key-file or \$BEIR_BENCH_SERVE_API_KEY, not both/);
    await writeFile(file, '\nkey on line two\n');
    expect(() => readServeKey(file, {})).toThrow(/first line is empty/);
    expect(() => readServeKey(join(dir, 'missing'), {})).toThrow(/cannot read --api-key-file .*missing: ENOENT/);
  });

  it('Authorization: Bearer <key> matches exactly; anything else does not', () => {
    const key = newApiKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newApiKey()).not.toBe(key);
    expect(bearerMatches(`Bearer ${key}`, key)).toBe(true);
    expect(bearerMatches(`bearer ${key}`, key)).toBe(true);
    for (const h of [undefined, '', key, `Bearer ${key}x`, `Bearer ${key.slice(1)}`, 'Bearer ', `Basic ${key}`]) expect(bearerMatches(h, key), String(h)).toBe(false);
  });

  it('loopback: localhost, 127.0.0.0/8, ::1; every other address is reachable from elsewhere', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

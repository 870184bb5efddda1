import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSha256 } from '../../src/embed/file-sha256.js';

describe('fileSha256', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-sha-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes a file, remembers it in a sidecar, and re-hashes once the file is replaced', async () => {
    const path = join(dir, 'model.onnx');
    await writeFile(path, 'weights v1');
    const v1 = createHash('sha256').update('weights v1').digest('hex');
    expect(await fileSha256(path)).toBe(v1);
    expect(JSON.parse(await readFile(`${path}.sha256.json`, 'utf8')).sha256).toBe(v1);

    // A sidecar whose key still matches is trusted (that is the point), so tamper with it to prove it is read...
    const sidecar = JSON.parse(await readFile(`${path}.sha256.json`, 'utf8'));
    await writeFile(`${path}.sha256.json`, JSON.stringify({ ...sidecar, sha256: 'f'.repeat(64) }));
    expect(await fileSha256(path)).toBe('f'.repeat(64));
    // ...and ignored once the file changes.
    await writeFile(path, 'weights v2, longer');
    expect(await fileSha256(path)).toBe(createHash('sha256').update('weights v2, longer').digest('hex'));
  });
});

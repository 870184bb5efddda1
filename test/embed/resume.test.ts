import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedTexts } from '../../src/embed/cache.js';
import { loadEncoder, type Encoder } from '../../src/embed/encoder.js';
import { getModel } from '../../src/models/registry.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { warnIfNoModels } from '../helpers/models.js';
import { sampleTexts } from './fixtures/texts.js';

const modelsDir = warnIfNoModels('kill-and-resume test with real e5-small-v2 weights');
const N = 120;
const CHUNK = 8;

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).filter((e) => e.endsWith('.bin'));
}

/** Run the child until it has persisted at least `chunks` chunks, then SIGKILL it; resolves once it is dead. */
async function killMidEncode(cacheDir: string, chunks: number): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/embed/fixtures/embed-child.ts'), modelsDir!, cacheDir, String(N), String(CHUNK)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for (;;) {
    if ((await segmentFiles(cacheDir)).length >= chunks) break;
    if (child.exitCode !== null) throw new Error(`child exited before being killed: ${stdout}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  const signal = await exited;
  expect(stdout).not.toContain('done');
  return signal;
}

describe.skipIf(!modelsDir)('an embedding run killed mid-encode', () => {
  let encoder: Encoder;
  const dirs: string[] = [];
  beforeAll(async () => {
    // Same threads and batch size as the child: vectors must then match bit for bit.
    encoder = await loadEncoder({ model: getModel('intfloat/e5-small-v2'), dtype: 'fp32', modelsDir: modelsDir!, threads: 1, batchSize: 4 });
  });
  afterAll(async () => {
    await encoder?.dispose();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('resumes without re-encoding finished chunks and ends with the vectors of an uninterrupted run', async () => {
    const killedDir = await mkdtemp(join(tmpdir(), 'beir-bench-killed-'));
    const cleanDir = await mkdtemp(join(tmpdir(), 'beir-bench-clean-'));
    dirs.push(killedDir, cleanDir);
    const texts = sampleTexts(N);
    const req = { encoder, texts, namespace: 'resume-test', label: 'resume', quiet: true, chunkSize: CHUNK };

    expect(await killMidEncode(killedDir, 3)).toBe('SIGKILL');
    const persisted = (await segmentFiles(killedDir)).length;
    expect(persisted).toBeGreaterThanOrEqual(3);
    expect(persisted).toBeLessThan(N / CHUNK);

    const resumed = await embedTexts({ ...req, cacheDir: killedDir });
    expect(resumed.fromCache).toBe(persisted * CHUNK);
    expect(resumed.encoded).toBe(N - persisted * CHUNK);

    const clean = await embedTexts({ ...req, cacheDir: cleanDir });
    expect(clean.encoded).toBe(N);
    expect(resumed.matrix.data).toEqual(clean.matrix.data);
  });
});

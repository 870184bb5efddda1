/**
 * beir-bench as a user installs it: `npm pack`, then `npm install <tarball>` into an empty project whose own
 * version differs. `--version` must print beir-bench's version, and a run must record the versions of the packages
 * it ran with (hoisted next to it in the host's node_modules), not nulls or the host's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../src/results/schema.js';
import { REPO_ROOT } from '../helpers/shared.js';

const exec = promisify(execFile);
const OWN = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('beir-bench installed from its tarball as another project\'s dependency', () => {
  let work: string;
  let host: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-installed-'));
    host = join(work, 'host');
    // `npm pack` runs the build (prepare), so the tarball holds dist/ as built from these sources.
    const { stdout } = await exec('npm', ['pack', '--silent', '--pack-destination', work], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const tarball = join(work, stdout.trim().split('\n').at(-1)!);
    await exec('mkdir', [host]);
    await writeFile(join(host, 'package.json'), JSON.stringify({ name: 'host-project', version: '9.8.7', private: true }));
    // From npm's cache where it can (the repo's own `npm ci` filled it), the registry otherwise: a dependency range may
    // resolve to a newer release than the lockfile's once npm has seen it. No install scripts (onnxruntime-node's
    // fetches optional CUDA binaries, which the CPU path does not need).
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: host, maxBuffer: 16 << 20 });
  }, 600_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const beirBench = (args: string[]) => exec(join(host, 'node_modules', '.bin', 'beir-bench'), args, { cwd: host, maxBuffer: 16 << 20 });

  it('--version prints beir-bench\'s version, not the host project\'s', async () => {
    expect(OWN.version).not.toBe('9.8.7');
    expect((await beirBench(['--version'])).stdout.trim()).toBe(OWN.version);
  });

  it('a run records beir-bench\'s version and those of the hoisted packages it ran with', async () => {
    const fixture = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
    await beirBench(['bench', '--dataset', 'scifact', '--data-dir', fixture, '--arms', 'bm25', '--out', join(work, 'out'), '--quiet']);
    const [runId] = await readdir(join(work, 'out'));
    const results = JSON.parse(await readFile(join(work, 'out', runId, 'results.json'), 'utf8')) as ResultsFile;
    const installed = async (name: string) => (JSON.parse(await readFile(join(host, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(results.environment.packages).toEqual({
      'beir-bench': OWN.version,
      '@huggingface/transformers': await installed('@huggingface/transformers'),
      'onnxruntime-node': await installed('onnxruntime-node'),
      '@opensearch-project/opensearch': await installed('@opensearch-project/opensearch'),
      // Every engine's packages (src/engines/: each family lists those whose versions decide its scores).
      '@lancedb/lancedb': await installed('@lancedb/lancedb'),
    });
  });
});

/**
 * `bench --encoder-url` as a user runs it, against a scripted local endpoint (no model weights needed): the API
 * key reaches the server and nowhere else, and failures are one clear line naming the endpoint.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startEmbeddingEndpoint, type EmbeddingEndpoint } from '../helpers/embedding-endpoint.js';
import { closedPort } from '../helpers/net.js';
import { REPO_ROOT } from '../helpers/shared.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
const KEY = 'sk-beir-bench-test-7f3a9c';

let dir: string;
let endpoint: EmbeddingEndpoint;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-remote-cli-'));
  endpoint = await startEmbeddingEndpoint({ dimension: 384, model: 'intfloat/e5-small-v2' });
});
afterAll(async () => {
  await endpoint?.close();
  await rm(dir, { recursive: true, force: true });
});

const bench = (name: string, extra: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--quiet', '--embed-cache-dir', join(dir, name, 'cache'), '--out', join(dir, name, 'out'), ...extra], env);

/** Every file under `root`, as text. */
async function allFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(await readFile(join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

describe('bench --encoder-url', () => {
  it('sends $BEIR_BENCH_ENCODER_API_KEY as a Bearer token and never prints, logs or writes it', async () => {
    const r = await bench('key', ['--encoder-url', endpoint.url, '--format', 'json', '--verbose'], { BEIR_BENCH_ENCODER_API_KEY: KEY });
    expect(r.code).toBe(0);
    expect(endpoint.requests.length).toBeGreaterThan(0);
    expect(endpoint.requests.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const files = await allFiles(join(dir, 'key'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(f).not.toContain(KEY);
    // The run did use the endpoint: the results say so.
    expect(JSON.parse(r.stdout).systems[1].encoder).toEqual({ kind: 'remote', urls: [endpoint.url], asymmetry: 'prefix' });
  });

  it('an authentication failure is one line naming the endpoint and status, with the key blanked out', async () => {
    endpoint.script({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) });
    for (const verbose of [[], ['--verbose']]) {
      if (verbose.length) endpoint.script({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) });
      const r = await bench(`denied${verbose.length}`, ['--encoder-url', endpoint.url, ...verbose], { BEIR_BENCH_ENCODER_API_KEY: KEY });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: embedding endpoint ${endpoint.url}/embeddings: HTTP 401 Unauthorized: "Incorrect API key provided: ***"`);
      expect(r.stdout + r.stderr).not.toContain(KEY);
      if (!verbose.length) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('connection refused: one line naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const r = await bench('refused', ['--encoder-url', url, '--encoder-retries', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`error: embedding endpoint ${url}/embeddings: connection refused (ECONNREFUSED)`);
  });

  it.each([
    [['--encoder-url', 'localhost:8080'], /encoder URL "localhost:8080" must start with http:\/\/ or https:\/\//],
    [['--encoder-url', 'http://me:pw@host/v1'], /credentials do not go into the URL .*BEIR_BENCH_ENCODER_API_KEY/],
    [['--encoder-url', ','], /--encoder-url is empty/],
    [['--encoder-model', 'x'], /--encoder-model names the model at --encoder-url endpoints: give --encoder-url too/],
    [['--encoder-url', 'http://h/v1', '--encoder-retries', '-1'], /--encoder-retries must be 0 or a positive integer, got -1/],
    [['--encoder-url', 'http://h/v1', '--encoder-timeout', '0'], /--encoder-timeout must be a positive number of seconds, got 0/],
    [['--encoder-url', 'http://h/v1', '--encoder-concurrency', '0'], /--encoder-concurrency must be a positive integer, got 0/],
    [['--encoder-url', 'http://h/v1', '--encoder-asymmetry', 'content-type'], /Invalid values:.*encoder-asymmetry/s],
    [['--device', 'tpu'], /Invalid values:.*device/s],
  ])('rejects %j', async (flags, message) => {
    const r = await bench('flags', flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('pw@');
  });

  // This project installs onnxruntime-node without its CUDA libraries (package.json allowScripts); a GPU machine that added them skips this.
  const cudaInstalled = existsSync(join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'));
  it.skipIf(cudaInstalled)('--device cuda without the CUDA provider: one line saying what to install', async () => {
    const r = await bench('cuda', ['--device', 'cuda', '--arms', 'symmetric', '--models-dir', join(dir, 'no-models')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--device cuda: onnxruntime-node's CUDA provider is not installed .*ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install/);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../datasets/helpers/http-server.js';
import { runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/net.js';
import { REPO_ROOT } from '../helpers/shared.js';

/*
 * Every download failure ends in one `error:` line (exit 2) naming what was fetched from which URL, the cause,
 * and the offline alternative; stacks only with --verbose or DEBUG. The real CLI in a child process, against a
 * closed loopback port and a local server answering errors (HF_ENDPOINT moves the hub, --mirror the BEIR server).
 */

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
const ONE_ERROR_LINE = /^error: [^\n]+\n$/;

let scratch: string;
let server: TestServer | undefined;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'beir-bench-net-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A bench run that must fetch the default model (e5-small-v2): no models dir (a HOME without one), an empty embedding cache. */
function benchNeedingTheHub(hub: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runCli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--out', join(scratch, 'out'), '--quiet', ...extra], {
    HF_ENDPOINT: hub,
    HOME: scratch,
    BEIR_BENCH_MODELS_DIR: '',
    BEIR_BENCH_CACHE: join(scratch, 'embeddings'),
    DEBUG: '',
    ...env,
  });
}

describe('model download from the hub', () => {
  it('an unreachable hub: one line naming the URL, the cause and --models-dir; exit 2', async () => {
    const hub = `http://127.0.0.1:${await closedPort()}/`;
    const r = await benchNeedingTheHub(hub);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toContain(`model intfloat/e5-small-v2 (hub repo Xenova/e5-small-v2) from ${hub}Xenova/e5-small-v2/resolve/main/`);
    expect(r.stderr).toContain('failed: connection refused (ECONNREFUSED).');
    expect(r.stderr).toContain('--models-dir');
    expect(r.code).toBe(2);
  });

  it.each([
    [404, 'HTTP 404 Not Found'],
    [500, 'HTTP 500 Internal Server Error'],
  ])('a hub answering %i: one line naming the file URL and the status', async (status, reason) => {
    server = await startServer((_req, res) => res.writeHead(status).end());
    const r = await benchNeedingTheHub(server.baseUrl);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toContain(`from ${server.baseUrl}Xenova/e5-small-v2/resolve/main/tokenizer_config.json failed: ${reason}.`);
    expect(r.stderr).toContain('--models-dir');
    expect(r.code).toBe(2);
  });

  it.each([
    ['--verbose', ['--verbose'], {}],
    ['DEBUG', [], { DEBUG: '1' }],
  ])('%s adds the stack and its causes above the same error line', async (_name, extra, env) => {
    const hub = `http://127.0.0.1:${await closedPort()}/`;
    const r = await benchNeedingTheHub(hub, extra, env);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^error: download of model intfloat\/e5-small-v2 .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/^DownloadError: download of model/);
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/\[cause\]: Error: connect ECONNREFUSED/);
  });
});

describe('BEIR dataset download', () => {
  it('an unreachable --mirror: one line naming the zip URL, the cause, --data-dir and --mirror; exit 2', async () => {
    const mirror = `http://127.0.0.1:${await closedPort()}/beir/`;
    const r = await runCli(['download', '--dataset', 'scifact', '--cache-dir', join(scratch, 'datasets'), '--mirror', mirror], { DEBUG: '' });
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toContain(`download of BEIR dataset scifact from ${mirror}scifact.zip failed: connection refused (ECONNREFUSED).`);
    expect(r.stderr).toContain('--data-dir');
    expect(r.stderr).toContain('--mirror');
    expect(r.code).toBe(2);
  });

  it('a mirror answering 404: the status', async () => {
    server = await startServer((_req, res) => res.writeHead(404).end());
    const r = await runCli(['download', '--dataset', 'nfcorpus', '--cache-dir', join(scratch, 'datasets'), '--mirror', server.baseUrl], { DEBUG: '' });
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toContain(`from ${server.baseUrl}nfcorpus.zip failed: HTTP 404 Not Found.`);
    expect(r.code).toBe(2);
  });
});

describe('unexpected errors', () => {
  it('print one line (exit 1) pointing at --verbose, which shows the stack', async () => {
    // A models folder whose files are not a model: transformers.js fails with its own (non-user) error.
    const models = join(scratch, 'broken-models');
    await mkdir(join(models, 'intfloat', 'e5-small-v2', 'onnx'), { recursive: true });
    await writeFile(join(models, 'intfloat', 'e5-small-v2', 'onnx', 'model.onnx'), 'not a model');
    const env = { BEIR_BENCH_MODELS_DIR: models, BEIR_BENCH_CACHE: join(scratch, 'embeddings'), DEBUG: '' };
    const args = ['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--out', join(scratch, 'out'), '--quiet'];

    const quiet = await runCli(args, env);
    expect(quiet.stderr).toMatch(ONE_ERROR_LINE);
    expect(quiet.stderr).toMatch(/^error: unexpected \w+: .*\(run again with --verbose for the stack trace\)\n$/);
    expect(quiet.code).toBe(1);

    const verbose = await runCli([...args, '--verbose'], env);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr.trimEnd().split('\n').at(-1)).toMatch(/^error: unexpected \w+: /);
    expect(verbose.code).toBe(1);
  });
});

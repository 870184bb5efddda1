import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEncoder } from '../../src/embed/encoder.js';
import { fileSha256 } from '../../src/embed/file-sha256.js';
import { getModel } from '../../src/models/registry.js';
import { DownloadError } from '../../src/net-errors.js';
import { startServer, type TestServer } from '../datasets/helpers/http-server.js';
import { warnIfNoModels } from '../helpers/models.js';

/*
 * Loading from a hub other than huggingface.co (HF_ENDPOINT): a local server serving the provisioned
 * e5-small-v2 folder under the hub's URL layout, /<repo>/resolve/main/<file>, with faults injected per file.
 */
const modelsDir = warnIfNoModels('hub download tests (a local hub serves the provisioned e5-small-v2)');
const model = getModel('intfloat/e5-small-v2');
const REPO = '/Xenova/e5-small-v2/resolve/main/';
const WEIGHTS = 'onnx/model_quantized.onnx';

type Fault = (res: import('node:http').ServerResponse, body: Buffer) => void;

/** Serve the provisioned folder as the hub; `faults` replace the answer for some files. */
async function localHub(faults: Record<string, Fault> = {}): Promise<TestServer> {
  const folder = join(modelsDir!, model.id);
  return startServer((req, res) => {
    const file = req.url?.startsWith(REPO) ? req.url.slice(REPO.length) : '';
    readFile(join(folder, file)).then(
      (body) => (faults[file] ? faults[file](res, body) : res.writeHead(200, { 'content-length': body.length }).end(body)),
      () => res.writeHead(404).end(),
    );
  });
}

let server: TestServer | undefined;
let cacheDir: string;
const cacheDirBefore = env.cacheDir;
beforeAll(async () => {
  // transformers.js caches downloads on disk; a fresh folder per test, never the shared default.
  cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-hub-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  env.cacheDir = cacheDirBefore;
  await rm(cacheDir, { recursive: true, force: true });
});

async function loadFrom(hub: TestServer, name: string) {
  vi.stubEnv('HF_ENDPOINT', hub.baseUrl);
  env.cacheDir = join(cacheDir, name);
  return loadEncoder({ model, dtype: 'q8', threads: 1 });
}

describe.skipIf(!modelsDir)('loading e5-small-v2 from a local hub (HF_ENDPOINT)', () => {
  it('downloads the same weights and embeds exactly as the local folder does', async () => {
    server = await localHub();
    const hub = await loadFrom(server, 'ok');
    const local = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir!, threads: 1 });
    expect(hub.info.source).toBe('hf:Xenova/e5-small-v2');
    expect(server.requests).toContain(`${REPO}${WEIGHTS}`);
    expect(hub.info.weightsSha256).toBe(await fileSha256(join(modelsDir!, model.id, WEIGHTS)));
    const texts = ['query: how much protein should a female eat', 'passage: Adults need seven to nine hours of sleep.'];
    expect((await hub.encode(texts)).data).toEqual((await local.encode(texts)).data);
    await Promise.all([hub.dispose(), local.dispose()]);
  });

  it('a 404 on the weights: a DownloadError naming that URL and the offline alternative', async () => {
    server = await localHub({ [WEIGHTS]: (res) => res.writeHead(404).end() });
    const err = await loadFrom(server, 'missing-weights').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toContain(`from ${server.baseUrl}Xenova/e5-small-v2/resolve/main/${WEIGHTS} failed: HTTP 404 Not Found.`);
    expect((err as Error).message).toContain('--models-dir');
  });

  it('weights cut off mid-transfer: a DownloadError naming that URL and the broken connection', async () => {
    server = await localHub({
      [WEIGHTS]: (res, body) => {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 1 << 20), () => res.destroy());
      },
    });
    const err = await loadFrom(server, 'cut-weights').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as Error).message).toContain(`from ${server.baseUrl}Xenova/e5-small-v2/resolve/main/${WEIGHTS} failed: connection closed by the server (UND_ERR_SOCKET).`);
  });
});

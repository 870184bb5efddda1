/**
 * `beir-bench serve` as a real process on a free loopback port, with the real e5-small-v2 weights: the official
 * `openai` client talks to it unchanged, bad requests get the right status and a JSON error, a full queue
 * answers 503 with Retry-After, and SIGTERM / SIGINT finish the request in flight before exiting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, type Encoder } from '../../src/embed/encoder.js';
import { minRowCosine } from '../../src/embed/probe-fingerprint.js';
import { getModel } from '../../src/models/registry.js';
import { sampleTexts } from '../embed/fixtures/texts.js';
import { warnIfNoModels } from '../helpers/models.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const modelsDir = warnIfNoModels('beir-bench serve');
const MODEL = getModel('intfloat/e5-small-v2');
const TEXTS = ['query: how do vaccines train the immune system', 'passage: Vaccines expose the immune system to an antigen.', 'passage: x'];

let dir: string;
let serve: ServeProcess;
let local: Encoder;

const post = (body: unknown, init: RequestInit = {}) =>
  fetch(`${serve.url}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

describe.skipIf(!modelsDir)('beir-bench serve', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-serve-'));
    serve = await startServe([
      '--models-dir', modelsDir!, '--threads', '1', '--embed-cache-dir', join(dir, 'cache'),
      '--max-queue', '1', '--max-inputs', '8', '--max-request-bytes', '20000',
    ]);
    local = await loadEncoder({ model: MODEL, dtype: 'fp32', modelsDir: modelsDir!, threads: 1 });
  });
  afterAll(async () => {
    await serve?.stop();
    await local?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the official openai client, base64 (its default) and float, with the local encoder\'s vectors', async () => {
    const client = new OpenAI({ baseURL: serve.url, apiKey: 'unused', maxRetries: 0 });
    const expected = await local.encode(TEXTS);
    for (const encoding_format of [undefined, 'float'] as const) {
      const res = await client.embeddings.create({ model: MODEL.id, input: TEXTS, ...(encoding_format ? { encoding_format } : {}) });
      expect(res.model).toBe(MODEL.id);
      expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
      const got = Float32Array.from(res.data.flatMap((d) => d.embedding));
      expect(minRowCosine(got, expected.data, MODEL.dimension)).toBeGreaterThanOrEqual(0.99999);
      expect(res.usage.prompt_tokens).toBe(local.countTokens(TEXTS).reduce((a, b) => a + b, 0));
    }
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([MODEL.id]);
  });

  it('applies the model\'s prefixes for input_type query and passage', async () => {
    const raw = ['how do vaccines work', 'Vaccines expose the immune system to an antigen.'];
    const byType = async (input_type: string, texts: string[]) => {
      const res = await post({ model: MODEL.id, input: texts, encoding_format: 'float', ...(input_type ? { input_type } : {}) });
      expect(res.status).toBe(200);
      return Float32Array.from(((await res.json()) as { data: { embedding: number[] }[] }).data.flatMap((d) => d.embedding));
    };
    const query = await byType('query', raw);
    const passage = await byType('passage', raw);
    expect(minRowCosine(query, await byType('', raw.map((t) => `query: ${t}`)), MODEL.dimension)).toBeGreaterThanOrEqual(0.99999);
    expect(minRowCosine(passage, await byType('', raw.map((t) => `passage: ${t}`)), MODEL.dimension)).toBeGreaterThanOrEqual(0.99999);
    expect(minRowCosine(query, passage, MODEL.dimension)).toBeLessThan(0.999);
  });

  it.each([
    ['bad JSON', '{"input": [', 400, /not valid JSON/],
    ['no input', { model: MODEL.id }, 400, /missing required parameter "input"/],
    ['empty input', { input: [] }, 400, /"input" is empty/],
    ['an empty string', { input: ['a', ''] }, 400, /input\[1\] is an empty string/],
    ['a non-string item', { input: ['a', 3] }, 400, /input\[1\] must be a string, got number/],
    ['token ids', { input: [[101, 102]] }, 400, /input\[0\] must be a string, got a list/],
    ['a bad input_type', { input: 'a', input_type: 'document' }, 400, /"input_type" must be "query" or "passage", got "document"/],
    ['a bad encoding_format', { input: 'a', encoding_format: 'int8' }, 400, /"encoding_format" must be "float" or "base64"/],
    ['other dimensions', { input: 'a', dimensions: 128 }, 400, /"dimensions" 128: intfloat\/e5-small-v2 has 384/],
    ['another model', { input: 'a', model: 'text-embedding-3-small' }, 404, /"text-embedding-3-small" is not served here/],
    ['too many inputs', { input: Array.from({ length: 9 }, (_, i) => `t${i}`) }, 413, /9 items; at most 8 per request \(--max-inputs\)/],
    ['too many bytes', { input: ['x'.repeat(30000)] }, 413, /larger than 20000 bytes \(--max-request-bytes\)/],
  ])('rejects %s with a JSON error', async (_what, body, status, message) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const json = (await res.json()) as { error: { message: string; type: string } };
    expect(json.error.message).toMatch(message);
    expect(json.error.type).toBe('invalid_request_error');
  });

  it('the openai client sees those errors as its own error classes', async () => {
    const client = new OpenAI({ baseURL: serve.url, apiKey: 'unused', maxRetries: 0 });
    const err = await client.embeddings.create({ model: MODEL.id, input: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/"input" is empty/);
    const missing = await client.embeddings.create({ model: 'nope', input: 'a' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers 503 with Retry-After when the queue is full, and serves the rest', async () => {
    // --max-queue 1: one request encoding, one waiting; the others arrive while the first still runs (seconds of work).
    const batches = [0, 1, 2, 3].map((k) => sampleTexts(8 * (k + 1)).slice(8 * k).map((t) => `${t} queue test`));
    const answers = await Promise.all(batches.map((input) => post({ input })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    for (const r of answers.filter((a) => a.status === 503)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/queue is full .*--max-queue 1/);
    }
    const health = (await (await fetch(serve.url.replace(/\/v1$/, '/health'))).json()) as { status: string; queue: { waiting: number } };
    expect(health).toMatchObject({ status: 'ok', queue: { waiting: 0 } });
  });
});

describe.skipIf(!modelsDir)('beir-bench serve shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s finishes the request in flight, then exits 0', async (signal) => {
    const s = await startServe(['--models-dir', modelsDir!, '--threads', '1', '--no-cache']);
    const health = s.url.replace(/\/v1$/, '/health');
    // Seconds of fp32 work on one thread: the signal arrives while it runs.
    const input = sampleTexts(32).map((t) => `${t} ${signal}`);
    let answered = false;
    const inFlight = fetch(`${s.url}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) }).finally(
      () => (answered = true),
    );
    let running = 0;
    while (running === 0 && !answered) {
      running = ((await (await fetch(health)).json()) as { queue: { running: number } }).queue.running;
    }
    expect(answered).toBe(false);
    const exit = s.stop(signal);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(32);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toMatch(new RegExp(`${signal}: finishing the requests in flight, then stopping\\n.*stopped`, 's'));
    await expect(fetch(health)).rejects.toThrow();
  });
});

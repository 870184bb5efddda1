import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedTexts } from '../../src/embed/cache.js';
import { configHash, keyPartsOf } from '../../src/embed/cache-key.js';
import type { Encoder } from '../../src/embed/encoder.js';
import { PROBE_TEXTS } from '../../src/embed/probe-fingerprint.js';
import type { RemoteTransport } from '../../src/embed/remote-client.js';
import { embeddingsUrl, openRemoteEncoder } from '../../src/embed/remote-encoder.js';
import { UserError } from '../../src/errors.js';
import type { ModelSpec } from '../../src/models/spec.js';
import type { InputType } from '../../src/models/input-text.js';
import { fakeVector, startEmbeddingEndpoint, type EmbeddingEndpoint, type EndpointOptions, type Fault } from '../helpers/embedding-endpoint.js';
import { closedPort } from '../helpers/net.js';

const MODEL: ModelSpec = {
  id: 'test/fake',
  onnxRepo: 'test/fake',
  queryPrefix: 'query: ',
  passagePrefix: 'passage: ',
  pooling: 'mean',
  normalize: true,
  maxLength: 512,
  dimension: 8,
  similarity: 'cosine',
  description: 'fake endpoint model',
};
/** One input per request and one request at a time, so a script's n-th fault hits the n-th text chunk. */
const TRANSPORT: RemoteTransport = { batchSize: 4, batchTokens: 100_000, concurrency: 1, timeoutSeconds: 5, retries: 2, encodingFormat: 'base64' };
const BACKOFF = { baseMs: 5, capMs: 20, maxRetryAfterMs: 5000 };
const TEXTS = Array.from({ length: 20 }, (_, i) => `passage: text number ${i} ${'x'.repeat(i)}`);
const CHUNK = 4;

let dir: string;
const endpoints: EmbeddingEndpoint[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beir-bench-remote-'));
});
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

async function endpoint(opts: EndpointOptions = {}): Promise<EmbeddingEndpoint> {
  const e = await startEmbeddingEndpoint(opts);
  endpoints.push(e);
  return e;
}

function open(urls: string[], over: { transport?: Partial<RemoteTransport>; inputType?: InputType | null; apiKey?: string; model?: ModelSpec } = {}): Promise<Encoder> {
  return openRemoteEncoder({
    spec: { kind: 'remote', urls, asymmetry: 'prefix' },
    model: over.model ?? MODEL,
    inputType: over.inputType ?? null,
    transport: { ...TRANSPORT, ...over.transport },
    cacheDir: dir,
    apiKey: over.apiKey,
    backoff: BACKOFF,
  });
}

const embed = (encoder: Encoder, texts = TEXTS) => embedTexts({ encoder, texts, cacheDir: dir, namespace: 'faults', label: 'test', quiet: true, chunkSize: CHUNK });

/** Inputs the endpoint was asked to embed, besides the probe strings. */
const workInputs = (e: EmbeddingEndpoint) => e.requests.filter((r) => r.inputs[0] !== PROBE_TEXTS[0]).flatMap((r) => r.inputs);

describe('remote encoder against a healthy endpoint', () => {
  it('returns each input its own vector, whatever order the answer lists them in', async () => {
    const e = await endpoint();
    const out = await embed(await open([e.url]));
    expect(out.encoded).toBe(TEXTS.length);
    TEXTS.forEach((t, i) => expect(Array.from(out.matrix.data.subarray(i * 8, (i + 1) * 8))).toEqual(Array.from(fakeVector(t, 8))));
    expect(e.requests[0].body).toMatchObject({ model: 'test/fake', encoding_format: 'base64' });
    expect(e.requests[0].body).not.toHaveProperty('input_type');
  });

  it('sends input_type when asked, and float encoding', async () => {
    const e = await endpoint();
    const out = await embed(await open([e.url], { inputType: 'query', transport: { encodingFormat: 'float' } }), ['what is x']);
    expect(e.requests.at(-1)!.body).toMatchObject({ input_type: 'query', encoding_format: 'float' });
    expect(Array.from(out.matrix.data)).toEqual(Array.from(fakeVector('what is x', 8, 'query')));
  });

  it('spreads requests over several endpoints and gets the same vectors', async () => {
    const [a, b] = [await endpoint(), await endpoint()];
    const out = await embedTexts({ encoder: await open([a.url, b.url], { transport: { batchSize: 1, concurrency: 2 } }), texts: TEXTS, cacheDir: null, namespace: 'x', label: 'x', quiet: true });
    expect(workInputs(a).length).toBeGreaterThan(0);
    expect(workInputs(b).length).toBeGreaterThan(0);
    expect(workInputs(a).length + workInputs(b).length).toBe(TEXTS.length);
    TEXTS.forEach((t, i) => expect(Array.from(out.matrix.data.subarray(i * 8, (i + 1) * 8))).toEqual(Array.from(fakeVector(t, 8))));
    // Two requests and two endpoints with two slots each: one request each, not both to the first.
    const [c, d] = [await endpoint(), await endpoint()];
    await (await open([c.url, d.url], { transport: { batchSize: 1, concurrency: 2 } })).encode(['one', 'two']);
    expect([workInputs(c).length, workInputs(d).length]).toEqual([1, 1]);
  });

  it('refuses endpoints that disagree on the model or its vectors', async () => {
    const a = await endpoint();
    const other = await endpoint({ model: 'other/model' });
    const salted = await endpoint({ salt: 'other weights' });
    await expect(open([a.url, other.url])).rejects.toThrow(/endpoints disagree: .* serves "test\/fake", .* serves "other\/model"/);
    await expect(open([a.url, salted.url])).rejects.toThrow(/both say "test\/fake" but return different vectors/);
  });

  it('fails when an endpoint changes its model during a run', async () => {
    const e = await endpoint();
    const encoder = await open([e.url]);
    e.script({ status: 200, body: JSON.stringify({ data: [0, 1, 2, 3].map((index) => ({ index, embedding: Buffer.from(fakeVector('t', 8).buffer).toString('base64') })), model: 'swapped/model' }) });
    await expect(embed(encoder)).rejects.toThrow(/now answers as model "swapped\/model", it answered "test\/fake" when probed/);
  });
});

describe('cache key of a remote endpoint', () => {
  const keyOf = async (e: EmbeddingEndpoint, inputType: InputType | null = null) => configHash(keyPartsOf((await open([e.url], { inputType })).info));

  it('is the answered model id and the probe fingerprint, not the URL', async () => {
    const a = await endpoint();
    const b = await endpoint();
    expect(a.url).not.toBe(b.url);
    expect(await keyOf(b)).toBe(await keyOf(a));
    const info = (await open([a.url])).info;
    expect(keyPartsOf(info)).toEqual({ kind: 'remote', model: 'test/fake', inputType: null, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('changes when the model behind the URL changes, or its input type; not for noise below the tolerance', async () => {
    const base = await keyOf(await endpoint());
    expect(await keyOf(await endpoint({ salt: 'retrained' }))).not.toBe(base);
    expect(await keyOf(await endpoint({ model: 'renamed' }))).not.toBe(base);
    expect(await keyOf(await endpoint(), 'query')).not.toBe(base);
    // Other hardware, same weights: components moved by 1e-6.
    expect(await keyOf(await endpoint({ jitter: 1e-6 }))).toBe(base);
    const known = JSON.parse(await readFile(join(dir, 'remote-fingerprints.json'), 'utf8')) as unknown[];
    expect(known).toHaveLength(4);
  });

  it('keeps vectors of another endpoint model out of the cache', async () => {
    const first = await embed(await open([(await endpoint()).url]));
    expect(first.encoded).toBe(TEXTS.length);
    const other = await endpoint({ salt: 'retrained' });
    const second = await embed(await open([other.url]));
    expect(second).toMatchObject({ encoded: TEXTS.length, fromCache: 0 });
    const again = await embed(await open([(await endpoint()).url]));
    expect(again).toMatchObject({ encoded: 0, fromCache: TEXTS.length });
  });
});

describe('remote encoder faults: a clear error, nothing of the failed batch cached, and a re-run encodes only what is missing', () => {
  /**
   * Encode TEXTS with `fault` scripted for the second chunk's first attempt (after `before` normal answers),
   * expect `message`, then re-run against a healthy endpoint: the first chunk comes from the cache.
   */
  async function failThenResume(faults: Fault[], message: RegExp, transport: Partial<RemoteTransport> = {}): Promise<EmbeddingEndpoint> {
    const e = await endpoint();
    const encoder = await open([e.url], { transport });
    e.script('ok', ...faults);
    const err = await embed(encoder).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`embedding endpoint ${e.url}/embeddings`);

    const healthy = await endpoint();
    const resumed = await embed(await open([healthy.url]));
    expect(resumed).toMatchObject({ fromCache: CHUNK, encoded: TEXTS.length - CHUNK });
    expect(workInputs(healthy)).toHaveLength(TEXTS.length - CHUNK);
    TEXTS.forEach((t, i) => expect(Array.from(resumed.matrix.data.subarray(i * 8, (i + 1) * 8))).toEqual(Array.from(fakeVector(t, 8))));
    return e;
  }

  it('429 with Retry-After: waits that long, then succeeds', async () => {
    const e = await endpoint();
    const encoder = await open([e.url]);
    e.script('ok', { status: 429, retryAfter: '1' });
    const out = await embed(encoder);
    expect(out.encoded).toBe(TEXTS.length);
    const i = e.requests.findIndex((r) => typeof r.fault === 'object');
    expect(e.requests[i + 1].inputs).toEqual(e.requests[i].inputs);
    expect(e.requests[i + 1].at - e.requests[i].at).toBeGreaterThanOrEqual(950);
  });

  it('500 then success: retried with backoff', async () => {
    const e = await endpoint();
    const encoder = await open([e.url], { transport: { retries: 3 } });
    e.script('ok', { status: 500 }, { status: 503 }, 'reset');
    const out = await embed(encoder);
    expect(out.encoded).toBe(TEXTS.length);
    expect(e.requests.filter((r) => r.fault !== 'ok')).toHaveLength(3);
    expect(workInputs(e)).toHaveLength(TEXTS.length + 3 * CHUNK);
  });

  it('5xx beyond the retry budget: names the status and the server message', async () => {
    await failThenResume([{ status: 502 }, { status: 502 }, { status: 502 }], /HTTP 502 Bad Gateway: "scripted 502" \(gave up after 3 attempts; --encoder-retries\)/);
  });

  it('400: not retried, the server message shown', async () => {
    const e = await failThenResume([{ status: 400, body: '{"error":{"message":"input too long"}}' }], /HTTP 400 Bad Request: "input too long"$/);
    expect(e.requests.filter((r) => typeof r.fault === 'object')).toHaveLength(1);
  });

  it('timeout', async () => {
    await failThenResume(['hang'], /no complete answer within 0\.3 s \(--encoder-timeout\)/, { timeoutSeconds: 0.3, retries: 0 });
  });

  it('malformed JSON', async () => {
    await failThenResume(['malformed'], /answered malformed JSON/);
  });

  it('wrong count', async () => {
    await failThenResume(['wrong-count'], /answered 3 vectors for 4 inputs/);
  });

  it('wrong dimension', async () => {
    await failThenResume(['wrong-dimension'], /the vector of input \d \("passage: text number \d+ x*"\) has 9 values; test\/fake has dimension 8/);
  });

  it('NaN', async () => {
    await failThenResume(['nan'], /the vector of input 3 \(.*\) holds NaN at position 2/);
  });

  it('not normalised although the model says so', async () => {
    await failThenResume(['unnormalised'], /has norm 3\.0000, but test\/fake is set to normalize/);
  });

  it('connection refused: names the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const err = await open([url], { transport: { retries: 1 } }).catch((x: unknown) => x);
    expect((err as Error).message).toBe(`embedding endpoint ${url}/embeddings: connection refused (ECONNREFUSED) (gave up after 2 attempts; --encoder-retries)`);
  });
});

describe('remote encoder settings', () => {
  it('sends the API key as a Bearer token and never puts it in an error', async () => {
    const e = await endpoint();
    const key = 'sk-test-0123456789';
    const encoder = await open([e.url], { apiKey: key });
    expect(e.requests[0].authorization).toBe(`Bearer ${key}`);
    expect(JSON.stringify(encoder.info)).not.toContain(key);
    e.script({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${key}` } }) });
    const err = (await embed(encoder).catch((x: unknown) => x)) as Error;
    expect(err.message).toMatch(/HTTP 401 Unauthorized: "Incorrect API key provided: \*\*\*"/);
    expect(err.message).not.toContain(key);
  });

  it.each([
    ['http://host:8080/v1', 'http://host:8080/v1/embeddings'],
    ['http://host:8080/v1/', 'http://host:8080/v1/embeddings'],
    ['http://host:8080', 'http://host:8080/v1/embeddings'],
    ['https://api.example.com/openai/v1/embeddings', 'https://api.example.com/openai/v1/embeddings'],
    ['http://host/proxy?api-version=2', 'http://host/proxy/embeddings?api-version=2'],
  ])('posts %s to %s', (base, url) => expect(embeddingsUrl(base)).toBe(url));

  it.each([
    ['host:8080/v1', /"host:8080\/v1" must start with http:\/\/ or https:\/\//],
    ['/v1', /"\/v1" is not an absolute URL; expected e\.g\. http:\/\/127\.0\.0\.1:8080\/v1/],
    ['ftp://host/v1', /must start with http:\/\/ or https:\/\//],
    ['http://user:secret@host/v1', /credentials do not go into the URL .*BEIR_BENCH_ENCODER_API_KEY/],
  ])('rejects %s', (base, message) => {
    expect(() => embeddingsUrl(base)).toThrow(message);
    if (base.includes('secret')) expect(() => embeddingsUrl(base)).not.toThrow(/secret/);
  });
});

/**
 * One OpenAI-compatible embedding endpoint: `POST <url>/embeddings` with retries, a timeout, and a response that
 * is checked item by item before any vector is used. Shared by the remote encoder (src/embed/remote-encoder.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { describeHttpStatus, describeNetworkError, isNetworkError } from '../net-errors.js';
import type { InputType } from '../models/input-text.js';

/** How requests are made; the same for every endpoint of a run. */
export interface RemoteTransport {
  /** Most inputs per request. */
  batchSize: number;
  /** Most estimated tokens per request, counted as padded (inputs x the longest), like the local encoder's passes. */
  batchTokens: number;
  /** Requests in flight per endpoint. */
  concurrency: number;
  /** Per attempt, from sending to the last byte of the answer. */
  timeoutSeconds: number;
  /** Retries after the first attempt (on 408, 429, 5xx, timeouts and network failures). */
  retries: number;
  /** `base64`: little-endian float32, exact and about a third of the JSON size; `float`: JSON numbers. */
  encodingFormat: 'float' | 'base64';
}

/**
 * Defaults sized to what common servers accept out of the box (text-embeddings-inference: 32 inputs and 16,384
 * tokens per request) and to keep one request queued behind the running one at each endpoint.
 */
export const DEFAULT_TRANSPORT: RemoteTransport = {
  batchSize: 32,
  batchTokens: 16384,
  concurrency: 2,
  timeoutSeconds: 120,
  retries: 4,
  encodingFormat: 'base64',
};


/** Every field of the request body but `input`: what results.json records as the request shape. */
export interface RequestBody {
  model: string;
  encoding_format: 'float' | 'base64';
  input_type?: InputType;
}

/** What a vector must look like: the system's model settings. */
export interface VectorExpectation {
  /** The system's model id, for messages. */
  model: string;
  dimension: number;
  normalize: boolean;
}

export interface EmbedAnswer {
  /** Rows in input order. */
  vectors: Float32Array;
  /** The `model` the endpoint answered with. */
  model: string;
}

/** Exponential backoff with jitter: attempt n waits a random time in [½, 1] x min(cap, base x 2^n). */
export interface Backoff {
  baseMs: number;
  capMs: number;
  /** Longest Retry-After honoured; a longer one is waited this long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, capMs: 8000, maxRetryAfterMs: 120_000 };

/** A failure worth another attempt, with the server's Retry-After when it sent one. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** |‖v‖ - 1| above this is "not normalised" (fp16 servers stay far below it; unnormalised vectors far above). */
const NORM_TOLERANCE = 1e-2;

export class EndpointClient {
  constructor(
    /** The full `.../embeddings` URL. */
    readonly url: string,
    private readonly transport: RemoteTransport,
    private readonly apiKey: string | undefined,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {}

  /** Embed `texts` as one request (retried as the transport allows). Any failure is a UserError naming this endpoint. */
  async embed(texts: string[], body: RequestBody, expect: VectorExpectation, signal?: AbortSignal): Promise<EmbedAnswer> {
    const attempts = this.transport.retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(texts, body, expect, signal);
      } catch (err) {
        if (!(err instanceof RetryableFailure)) throw err;
        if (attempt >= attempts) throw this.error(`${err.message}${attempts > 1 ? ` (gave up after ${attempts} attempts; --encoder-retries)` : ''}`);
        await sleep(this.delayMs(attempt, err.retryAfterMs), undefined, { signal });
      }
    }
  }

  private delayMs(attempt: number, retryAfterMs: number | null): number {
    const b = this.backoff;
    if (retryAfterMs !== null) return Math.min(retryAfterMs, b.maxRetryAfterMs);
    const ceiling = Math.min(b.capMs, b.baseMs * 2 ** (attempt - 1));
    return ceiling * (0.5 + Math.random() / 2);
  }

  private async attempt(texts: string[], body: RequestBody, expect: VectorExpectation, outer?: AbortSignal): Promise<EmbedAnswer> {
    const timeout = AbortSignal.timeout(this.transport.timeoutSeconds * 1000);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let status: number;
    let text: string;
    let res: Response;
    try {
      res = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify({ ...body, input: texts }), signal });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if (outer?.aborted) throw outer.reason;
      if (timeout.aborted) throw new RetryableFailure(`no complete answer within ${this.transport.timeoutSeconds} s (--encoder-timeout)`);
      if (isNetworkError(err)) throw new RetryableFailure(describeNetworkError(err));
      throw err;
    }
    if (status < 200 || status > 299) {
      const what = `${describeHttpStatus(res)}${errorDetail(text)}`;
      if (status === 408 || status === 429 || status >= 500) throw new RetryableFailure(what, retryAfterMs(res.headers.get('retry-after')));
      throw this.error(what);
    }
    return this.parse(text, texts, body, expect);
  }

  private parse(text: string, texts: string[], body: RequestBody, expect: VectorExpectation): EmbedAnswer {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw this.error(`answered malformed JSON (${(err as Error).message}); the body starts ${JSON.stringify(text.slice(0, 80))}`);
    }
    const data = (json as { data?: unknown })?.data;
    if (!Array.isArray(data)) throw this.error(`answered without a "data" list; the body starts ${JSON.stringify(text.slice(0, 80))}`);
    if (data.length !== texts.length) throw this.error(`answered ${data.length} vectors for ${texts.length} inputs`);
    const { dimension: dim } = expect;
    const vectors = new Float32Array(texts.length * dim);
    const seen = new Set<number>();
    data.forEach((item: { index?: unknown; embedding?: unknown }, position) => {
      // OpenAI's data[i].index says which input a vector belongs to; servers may answer out of order.
      const index = item?.index ?? position;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= texts.length || seen.has(index)) {
        throw this.error(`data[${position}].index is ${JSON.stringify(item?.index)}: expected each of 0..${texts.length - 1} once`);
      }
      seen.add(index);
      const v = decodeEmbedding(item?.embedding, body.encoding_format);
      const where = `the vector of input ${index} (${JSON.stringify(snippet(texts[index]))})`;
      if (v === null) throw this.error(`${where} is not ${body.encoding_format === 'base64' ? 'a base64 string' : 'a list of numbers'}`);
      if (v.length !== dim) throw this.error(`${where} has ${v.length} values; ${expect.model} has dimension ${dim} (--dimension)`);
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        if (!Number.isFinite(v[d])) throw this.error(`${where} holds ${v[d]} at position ${d}`);
        norm += v[d] * v[d];
      }
      norm = Math.sqrt(norm);
      if (expect.normalize && Math.abs(norm - 1) > NORM_TOLERANCE) {
        throw this.error(`${where} has norm ${norm.toFixed(4)}, but ${expect.model} is set to normalize (L2 norm 1); is the server normalising?`);
      }
      vectors.set(v, index * dim);
    });
    const model = (json as { model?: unknown }).model;
    return { vectors, model: typeof model === 'string' && model !== '' ? model : body.model };
  }

  /** A UserError naming this endpoint; never carries the API key, even when a server echoes it back. */
  private error(message: string): UserError {
    const safe = this.apiKey ? message.split(this.apiKey).join('***') : message;
    return new UserError(`embedding endpoint ${this.url}: ${safe}`);
  }
}

/** A float32 vector from a JSON list of numbers or a base64 string of little-endian float32; null when it is neither. */
function decodeEmbedding(raw: unknown, format: 'float' | 'base64'): Float32Array | null {
  if (format === 'base64') {
    if (typeof raw !== 'string') return null;
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length % 4 !== 0) return null;
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
    return out;
  }
  if (!Array.isArray(raw)) return null;
  // null or a string inside the list becomes NaN and is reported as a non-finite value.
  return Float32Array.from(raw, (x) => (typeof x === 'number' ? x : NaN));
}

/** The server's own error message, from the shapes OpenAI, text-embeddings-inference, vLLM and others use. */
function errorDetail(body: string): string {
  let message: unknown;
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = json?.error;
    message = (typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : e) ?? json?.message ?? json?.detail;
  } catch {
    message = body.trim();
  }
  if (typeof message !== 'string' || message === '') return '';
  return `: ${JSON.stringify(snippet(message, 200))}`;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function snippet(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

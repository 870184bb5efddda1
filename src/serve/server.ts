/**
 * `beir-bench serve`: the project's own encoder and embedding cache behind an OpenAI-compatible API
 * (`POST /v1/embeddings`, `GET /v1/models`, `GET /health`), on fastify. One request is encoded at a time (one
 * ONNX session uses every core); a bounded queue holds the next ones and a full queue answers 503 with
 * Retry-After, so clients back off instead of piling up.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import pLimit from 'p-limit';
import { embedTexts, type VectorSource } from '../embed/cache.js';
import type { Encoder, LocalEncoderInfo } from '../embed/encoder.js';
import type { ModelSpec } from '../models/spec.js';
import { bearerMatches } from './api-key.js';
import { ApiError, parseEmbeddingsRequest } from './embeddings-request.js';
import type { Simulation } from './simulate.js';

export interface ServerOptions {
  encoder: Encoder<LocalEncoderInfo>;
  model: ModelSpec;
  /** null: no embedding cache. */
  cache: VectorSource | null;
  /** Requests allowed to wait behind the one being encoded. */
  maxQueue: number;
  maxInputs: number;
  /** Largest request body in bytes. */
  maxBytes: number;
  /** `--simulate`: a deliberately broken deployment (the encoder given is already its variant). */
  simulate?: Simulation | null;
  /** Every route but GET /health then requires `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string | null;
}

/** A 500 the client sees; the details go to the server's stderr. */
const INTERNAL = 'internal error while embedding (see the server log)';

export function buildServer(opts: ServerOptions): FastifyInstance {
  const { encoder, model } = opts;
  const app = Fastify({ logger: false, bodyLimit: opts.maxBytes });
  const limit = pLimit(1);
  // Seconds per request, smoothed: how long a client told to come back should wait.
  let secondsPerRequest = 1;
  const created = Math.floor(Date.now() / 1000);
  const served = new Set([model.id, model.onnxRepo].map((m) => m.toLowerCase()));
  const prefixOf = opts.simulate?.prefixes ?? { query: model.queryPrefix, passage: model.passagePrefix };

  // Answers finished during shutdown close their connection, so a keep-alive client does not hold the server
  // open until its keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    const status = err.statusCode ?? 500;
    if (status >= 500) process.stderr.write(`beir-bench serve: ${request.method} ${request.url} failed: ${err.stack ?? err.message}\n`);
    return sendError(reply, new ApiError(status, status >= 500 ? INTERNAL : clientMessage(err, opts.maxBytes), null, err.code ?? null));
  });
  // Before the body is read: a caller without the key costs no parsing. /health stays open for liveness probes.
  const { apiKey } = opts;
  if (apiKey) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url === '/health' || bearerMatches(request.headers.authorization, apiKey)) return;
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, new ApiError(401, 'missing or wrong API key: send the key the server was started with as Authorization: Bearer <key>', null, 'invalid_api_key'));
    });
  }
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError(404, `no route ${request.method} ${request.url}; try POST /v1/embeddings`)));

  app.get('/health', async () => ({
    status: 'ok',
    model: model.id,
    dimension: model.dimension,
    dtype: encoder.info.dtype,
    device: encoder.info.device ?? 'cpu',
    queue: { running: limit.activeCount, waiting: limit.pendingCount, max: opts.maxQueue },
    ...(opts.simulate ? { simulatedFaults: opts.simulate.faults } : {}),
  }));

  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: model.id, object: 'model', created, owned_by: 'beir-bench', dimension: model.dimension, dtype: encoder.info.dtype }],
  }));

  app.post('/v1/embeddings', async (request, reply) => {
    const req = parseEmbeddingsRequest(request.body, { maxInputs: opts.maxInputs });
    if (req.model !== undefined && !served.has(req.model.toLowerCase())) {
      throw new ApiError(404, `the model "${req.model}" is not served here; this server serves "${model.id}"`, 'model', 'model_not_found');
    }
    if (req.dimensions !== undefined && req.dimensions !== model.dimension) {
      throw new ApiError(400, `"dimensions" ${req.dimensions}: ${model.id} has ${model.dimension} (no truncation offered)`, 'dimensions');
    }
    if (limit.activeCount + limit.pendingCount > opts.maxQueue) {
      const wait = Math.min(60, Math.max(1, Math.ceil(secondsPerRequest * limit.pendingCount)));
      reply.header('retry-after', String(wait));
      throw new ApiError(503, `the queue is full (${limit.pendingCount} requests waiting, --max-queue ${opts.maxQueue}); retry after ${wait} s`, null, 'queue_full');
    }
    const side = req.inputType ?? opts.simulate?.defaultInputType;
    const texts = req.inputs.map((t) => (side ? prefixOf[side] + t : t));
    const vectors = await limit(async () => {
      // A client that gave up while waiting (timeout, Ctrl-C) is not worth encoding for.
      if (request.raw.socket?.destroyed) return null;
      const t0 = performance.now();
      const out = await embedTexts({ encoder, texts, cacheDir: null, store: opts.cache ?? undefined, namespace: 'serve', label: 'serve', quiet: true });
      secondsPerRequest = 0.8 * secondsPerRequest + 0.2 * ((performance.now() - t0) / 1000);
      return out.matrix;
    });
    if (vectors === null) return reply;
    const dim = vectors.dim;
    const tokens = encoder.countTokens(texts).reduce((a, b) => a + b, 0);
    return {
      object: 'list',
      data: texts.map((_, i) => {
        const v = vectors.data.subarray(i * dim, (i + 1) * dim);
        return {
          object: 'embedding',
          index: i,
          embedding: req.encodingFormat === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
        };
      }),
      model: model.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  });

  return app;
}

/** OpenAI's error body: { error: { message, type, param, code } }. */
function sendError(reply: FastifyReply, err: ApiError) {
  const type = err.status >= 500 ? 'server_error' : 'invalid_request_error';
  return reply.status(err.status).send({ error: { message: err.message, type, param: err.param, code: err.code } });
}

/** Fastify's own 4xx messages, e.g. for bad JSON or an oversized body, in plain words. */
function clientMessage(err: FastifyError, maxBytes: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return `the request body is not valid JSON (${err.message})`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than ${maxBytes} bytes (--max-request-bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the body as application/json';
    default:
      return err.message;
  }
}

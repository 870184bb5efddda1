/**
 * `beir-bench serve` inside the harness, on a free loopback port, for as long as a run needs an endpoint that
 * OpenSearch can call (the opensearch-ml engine's default). Same server, same embedding cache as the command, and
 * a key of its own that the connector sends: another user of the machine cannot borrow the model.
 */
import { newApiKey } from './api-key.js';
import type { Encoder, LocalEncoderInfo } from '../embed/encoder.js';
import type { ModelSpec } from '../models/spec.js';
import { openServeCache } from './serve-cache.js';
import { buildServer } from './server.js';

export interface LoopbackServer {
  /** Base URL as OpenAI clients take it: http://127.0.0.1:<port>/v1 */
  url: string;
  /** What callers send as `Authorization: Bearer`: fresh for each server, known to this process only. */
  apiKey: string;
  close(): Promise<void>;
}

/** The node sends one request per document and may have many in flight: the queue must hold them all. */
const MAX_QUEUE = 100_000;

export async function startLoopbackServer(encoder: Encoder<LocalEncoderInfo>, model: ModelSpec, cacheDir: string | null): Promise<LoopbackServer> {
  const cache = cacheDir === null ? null : await openServeCache(cacheDir, encoder.info);
  const apiKey = newApiKey();
  const app = buildServer({ encoder, model, cache, maxQueue: MAX_QUEUE, maxInputs: 2048, maxBytes: 8 * 2 ** 20, apiKey });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address}/v1`, apiKey, close: () => app.close() };
}

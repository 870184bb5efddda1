/**
 * What the systems of one run share, opened on first use and closed once: encoders (one per model and
 * encoder settings), engine connections (one embedded engine, one OpenSearch client), and the vectors already
 * embedded for the current dataset (two systems sending the same strings to the same model get them once).
 * This is the one place that maps an engine kind to an implementation.
 */
import { createHash } from 'node:crypto';
import type { SearchBackend } from '../backends/backend.js';
import { EmbeddedBackend } from '../backends/embedded.js';
import { OpenSearchBackend, type OpenSearchOptions } from '../backends/opensearch.js';
import { embedTexts, type EmbedOutcome } from '../embed/cache.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import { loadEncoder, type Device, type Encoder } from '../embed/encoder.js';
import { DEFAULT_TRANSPORT, type RemoteTransport } from '../embed/remote-client.js';
import { openRemoteEncoder } from '../embed/remote-encoder.js';
import { UserError } from '../errors.js';
import type { DenseSystem, EngineKind, InputType } from '../systems/system.js';

export interface ResourceOptions {
  modelsDir?: string;
  threads?: number;
  batchSize?: number;
  batchTokens?: number;
  /** Local encoders: onnxruntime's execution provider (default cpu). */
  device?: Device;
  /** Remote encoders: batching, concurrency, timeout, retries, encoding (default DEFAULT_TRANSPORT). */
  remote?: RemoteTransport;
  /** null disables the embedding cache. */
  embeddingCacheDir: string | null;
  /** Required by the opensearch-* engines. */
  opensearch?: OpenSearchOptions;
  quiet: boolean;
}

type BackendFamily = 'embedded' | 'opensearch';

/** Which engine family serves each engine kind. */
const FAMILY: Record<EngineKind, BackendFamily> = {
  exact: 'embedded',
  bm25: 'embedded',
  'opensearch-knn': 'opensearch',
  'opensearch-bm25': 'opensearch',
};

/** sha256 over every string, each followed by a newline: identifies exactly what was embedded. */
export function sha256Lines(texts: readonly string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\n');
  return h.digest('hex');
}

export class RunResources {
  private readonly encoders = new Map<string, Promise<Encoder>>();
  private readonly backends = new Map<BackendFamily, Promise<SearchBackend>>();
  private embedded = new Map<string, Promise<EmbedOutcome>>();

  constructor(private readonly opts: ResourceOptions) {}

  /**
   * The one place encoders are created: one per model and encoder settings (and, for remote endpoints, per
   * input_type: each request shape has its own probe fingerprint, so its own cache key).
   */
  encoderFor(system: DenseSystem, inputType: InputType | null): Promise<Encoder> {
    const { model, encoder } = system;
    const key = JSON.stringify([model, encoder, encoder.kind === 'remote' ? inputType : null]);
    let e = this.encoders.get(key);
    if (!e) {
      const o = this.opts;
      e =
        encoder.kind === 'local'
          ? loadEncoder({ model, dtype: encoder.dtype, modelsDir: o.modelsDir, threads: o.threads, batchSize: o.batchSize, batchTokens: o.batchTokens, device: o.device })
          : openRemoteEncoder({ spec: encoder, model, inputType, transport: o.remote ?? DEFAULT_TRANSPORT, cacheDir: o.embeddingCacheDir });
      this.encoders.set(key, e);
    }
    return e;
  }

  backendFor(engine: EngineKind): Promise<SearchBackend> {
    const family = FAMILY[engine];
    let b = this.backends.get(family);
    if (!b) {
      b = this.openBackend(family);
      this.backends.set(family, b);
    }
    return b;
  }

  private async openBackend(family: BackendFamily): Promise<SearchBackend> {
    if (family === 'embedded') return new EmbeddedBackend();
    if (!this.opts.opensearch) throw new UserError('an opensearch-* engine needs OpenSearch options (--opensearch-url)');
    return OpenSearchBackend.connect({ ...this.opts.opensearch, quiet: this.opts.quiet });
  }

  /**
   * Embed through the cache. The same strings for the same encoder are embedded once per dataset: a repeat
   * gets the same vectors with `reused` set (and is not counted as encoded or cached again).
   */
  async embed(encoder: Encoder, namespace: string, label: string, texts: string[], textsSha256: string): Promise<EmbedOutcome & { reused: boolean }> {
    const key = `${configHash(keyPartsOf(encoder.info))}:${namespace}:${textsSha256}`;
    const earlier = this.embedded.get(key);
    if (earlier) return { ...(await earlier), encoded: 0, fromCache: 0, seconds: 0, reused: true };
    const out = embedTexts({ encoder, texts, cacheDir: this.opts.embeddingCacheDir, namespace, label, quiet: this.opts.quiet });
    this.embedded.set(key, out);
    return { ...(await out), reused: false };
  }

  /** A warning the user should see even with --quiet (it is not progress). */
  warn(message: string): void {
    process.stderr.write(`warning: ${message}\n`);
  }

  /** Drop the vectors kept for the dataset just finished. */
  forgetVectors(): void {
    this.embedded = new Map();
  }

  /** Engine descriptions of the families that were opened (for results.json). */
  async describeEngines(): Promise<Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [family, b] of this.backends) out[family] = (await b).describe();
    return out;
  }

  async close(): Promise<void> {
    const settled = await Promise.allSettled([...this.backends.values(), ...this.encoders.values()]);
    for (const s of settled) {
      if (s.status !== 'fulfilled') continue;
      const v = s.value;
      await ('dispose' in v ? v.dispose() : v.close());
    }
  }
}

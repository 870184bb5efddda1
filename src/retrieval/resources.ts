/**
 * What the systems of one run share, opened on first use and closed once: encoders (one per model and
 * encoder settings), engine connections (one per engine family: src/engines/), and the vectors already
 * embedded for the current dataset (two systems sending the same strings to the same model get them once).
 */
import { createHash } from 'node:crypto';
import type { SearchBackend } from '../backends/backend.js';
import { embedCorpus, embedTexts, type CorpusEmbedOutcome, type EmbedOutcome } from '../embed/cache.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import { loadEncoder, type Device, type Encoder, type LocalEncoderInfo } from '../embed/encoder.js';
import { startLoopbackServer, type LoopbackServer } from '../serve/loopback.js';
import { DEFAULT_TRANSPORT, type RemoteTransport } from '../embed/remote-client.js';
import { openRemoteEncoder } from '../embed/remote-encoder.js';
import { weightsOrigin, type ModelsDir } from '../embed/model-source.js';
import { gateNotice } from '../eval/gate-record.js';
import { UserError } from '../errors.js';
import type { MemoryBudget } from '../memory-budget.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import type { EngineOptions, EngineFamily } from '../engines/engine.js';
import { engineOf, type EngineId } from '../engines/registry.js';
import type { DenseSystem, SystemSpec } from '../systems/system.js';
import type { InputType } from '../models/input-text.js';

export interface ResourceOptions {
  /** Where local models are looked up (src/embed/model-source.ts); absent = the hub. */
  modelsDir?: string | ModelsDir;
  threads?: number;
  batchSize?: number;
  batchTokens?: number;
  /** Local encoders: onnxruntime's execution provider (default cpu). */
  device?: Device;
  /** Remote encoders: batching, concurrency, timeout, retries, encoding (default DEFAULT_TRANSPORT). */
  remote?: RemoteTransport;
  /** null disables the embedding cache. */
  embeddingCacheDir: string | null;
  /** Each engine family's settings, by options key (src/engines/). */
  engineOptions: EngineOptions;
  /** Sizes the embedded engines' blocks and refuses what cannot fit (--max-memory). */
  memory: MemoryBudget;
  quiet: boolean;
}

/** sha256 over every string, each followed by a newline: identifies exactly what was embedded. */
export function sha256Lines(texts: readonly string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\n');
  return h.digest('hex');
}

export class RunResources {
  private readonly encoders = new Map<string, Promise<Encoder>>();
  private readonly backends = new Map<EngineFamily<unknown>, Promise<SearchBackend>>();
  private readonly servers = new Map<string, Promise<LoopbackServer>>();
  private embedded = new Map<string, Promise<EmbedOutcome>>();
  private corpusVectors = new Map<string, Promise<CorpusEmbedOutcome>>();

  constructor(private readonly opts: ResourceOptions) {}

  /**
   * The one place encoders are created: one per model and encoder settings (and, for remote endpoints, per
   * input_type: each request shape has its own probe fingerprint, so its own cache key).
   */
  encoderFor(system: DenseSystem, inputType: InputType | null): Promise<Encoder> {
    const { model, encoder } = system;
    if (encoder.kind === 'opensearch-model') {
      throw new UserError(`system ${system.id}: a model deployed in OpenSearch (--opensearch-model-id ${encoder.modelId}) embeds only on the opensearch-ml engine`);
    }
    const key = JSON.stringify([model, encoder, encoder.kind === 'remote' ? inputType : null]);
    let e = this.encoders.get(key);
    if (!e) {
      const o = this.opts;
      e =
        encoder.kind === 'local'
          ? loadEncoder({ model, dtype: encoder.dtype, modelsDir: o.modelsDir, threads: o.threads, batchSize: o.batchSize, batchTokens: o.batchTokens, device: o.device }).then(
              (loaded) => {
                if (!o.quiet) process.stderr.write(`  ${model.id} (${encoder.dtype}): weights ${weightsOrigin(loaded.info)}\n`);
                const gate = gateNotice(loaded.info);
                if (gate?.warn) this.warn(gate.message);
                else if (gate && !o.quiet) process.stderr.write(`  ${gate.message}\n`);
                return loaded;
              },
            )
          : openRemoteEncoder({ spec: encoder, model, inputType, transport: o.remote ?? DEFAULT_TRANSPORT, cacheDir: o.embeddingCacheDir });
      this.encoders.set(key, e);
    }
    return e;
  }

  /** The connection serving an engine: one per engine family and run, opened on first use. */
  backendFor(engine: EngineId): Promise<SearchBackend> {
    const family = engineOf(engine).family;
    if (!family) throw new Error(`engine ${engine} fuses other runs in process: it has no backend`);
    let b = this.backends.get(family);
    if (!b) {
      const o = this.opts;
      b = family.open({ options: family.options ? o.engineOptions[family.options.key] : undefined, memory: o.memory, quiet: o.quiet });
      this.backends.set(family, b);
    }
    return b;
  }

  /**
   * A `beir-bench serve` on loopback for a system with a local encoder, so OpenSearch can call it (opensearch-ml);
   * one per model and dtype, stopped at close.
   */
  embeddingServer(system: DenseSystem): Promise<LoopbackServer> {
    if (system.encoder.kind !== 'local') throw new Error('embeddingServer: only local encoders are served');
    const key = JSON.stringify([system.model, system.encoder]);
    let s = this.servers.get(key);
    if (!s) {
      s = this.encoderFor(system, null).then((e) => startLoopbackServer(e as Encoder<LocalEncoderInfo>, system.model, this.opts.embeddingCacheDir));
      this.servers.set(key, s);
    }
    return s;
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

  /**
   * Embed a corpus streamed from disk into the cache (never held whole); its vectors stay in the cache's segment
   * files. `textsId` names the texts (doc set and prefix): a repeat within the dataset gets the same vectors back
   * with `reused` set, as `embed` does.
   */
  async embedCorpus(
    encoder: Encoder,
    namespace: string,
    label: string,
    texts: () => AsyncIterable<string>,
    count: number,
    textsId: string,
  ): Promise<CorpusEmbedOutcome & { reused: boolean }> {
    const key = `${configHash(keyPartsOf(encoder.info))}:${namespace}:${textsId}`;
    const earlier = this.corpusVectors.get(key);
    if (earlier) return { ...(await earlier), encoded: 0, fromCache: 0, seconds: 0, reused: true };
    const out = embedCorpus({ encoder, texts, count, cacheDir: this.opts.embeddingCacheDir, namespace, label, quiet: this.opts.quiet });
    this.corpusVectors.set(key, out);
    return { ...(await out), reused: false };
  }

  /**
   * Refuse, before any work on the dataset, a system whose embedded engine cannot fit the memory budget (an hour
   * of encoding should not end in an index that was never going to fit).
   */
  checkMemory(systems: readonly SystemSpec[], ds: LoadedDataset): void {
    const memory = this.opts.memory;
    for (const s of systems) {
      if (s.kind === 'hybrid') this.checkMemory(s.components, ds);
      else if (s.kind === 'lexical') engineOf(s.engine).checkMemory?.(memory, ds);
      else engineOf(s.engine).checkMemory?.(memory, ds, s.model.dimension);
    }
  }

  /** A warning the user should see even with --quiet (it is not progress). */
  warn(message: string): void {
    process.stderr.write(`warning: ${message}\n`);
  }

  /** Drop the vectors kept for the dataset just finished (a temporary store of a run without a cache is deleted). */
  async forgetVectors(): Promise<void> {
    const corpora = [...this.corpusVectors.values()];
    this.embedded = new Map();
    this.corpusVectors = new Map();
    for (const s of await Promise.allSettled(corpora)) if (s.status === 'fulfilled') await s.value.vectors.dispose();
  }

  async close(): Promise<void> {
    await this.forgetVectors();
    // Engines go first: a cluster's connectors to our loopback servers die with the servers; then the servers, then the encoders.
    for (const b of await Promise.allSettled(this.backends.values())) if (b.status === 'fulfilled') await b.value.close();
    for (const s of await Promise.allSettled(this.servers.values())) if (s.status === 'fulfilled') await s.value.close();
    for (const e of await Promise.allSettled(this.encoders.values())) if (e.status === 'fulfilled') await e.value.dispose();
  }
}

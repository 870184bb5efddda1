/**
 * The opensearch-ml engine: OpenSearch embeds the documents and the queries itself, as the seed article sets it
 * up. For each index it makes sure of (creating, reusing or replacing, each object named and tagged beir-bench
 * with a fingerprint): an ml-commons connector to an OpenAI-compatible endpoint and a remote model over it
 * (or the user's deployed model), an ingest pipeline (ml_inference, passage side) that is the index's
 * default_pipeline, and a search pipeline (ml_inference request processor, query side, query_template = the
 * kNN query). Documents go in as raw text; queries go out as text with ?search_pipeline=.
 */
import { type Client, errors } from '@opensearch-project/opensearch';
import { connect } from 'node:net';
import pLimit from 'p-limit';
import { UserError } from '../../errors.js';
import { passageText } from '../../models/input-text.js';
import { rankDocs, type RankedRun } from '../../ranking.js';
import { socketReaches } from '../../socket-probe.js';
import type { Query } from '../../types.js';
import type { IndexInput, IndexOutcome, SearchBackend, SearchInput } from '../backend.js';
import type { IndexKey } from '../index-key.js';
import { bulkIngest, type BulkRow } from '../opensearch-bulk.js';
import { connectProbed, DEFAULT_RETRY, describeOpenSearch, errorReason, redactUrl, refreshAndCount, withRetry, type NodeInfo, type OpenSearchOptions, type RetryPolicy } from '../opensearch-client.js';
import { MlApi, type ModelInfo } from './ml-api.js';
import {
  bodyShapeOf,
  connectorBody,
  fingerprintIn,
  ingestPipelineBody,
  ingestPipelineName,
  mlIndexBody,
  mlIndexName,
  mlReuseMismatch,
  PASSAGE_FIELD,
  pipelineQuery,
  registerBody,
  searchPipelineBody,
  searchPipelineName,
  TAG,
  TEMPORARY_MARK,
  type MlIndexSpec,
  type ServerEmbedding,
  type ServerModel,
  type SideRequests,
} from './requests.js';
import { predictBody, predictedVector, type ServerModelRef } from './vectors.js';


export interface MlEngineOptions extends OpenSearchOptions {
  /** How long to wait for ml-commons register/deploy tasks (default 120 s). */
  taskTimeoutMs?: number;
}

/** The objects one index was served by, for results.json. */
export interface MlObjects {
  index: string;
  model: ServerModelRef & { source: 'created' | 'reused' | 'cluster'; connectorId?: string };
  ingestPipeline: string;
  searchPipeline: string;
  sides: SideRequests;
  /** Documents sent to the ingest pipeline this run (0 when the index was reused whole). */
  ingested: number;
  /** Documents already in the index from an earlier run (a resumed ingestion). */
  alreadyIndexed: number;
  /** Wall time of the bulk ingestion (documents embedded by the node and indexed), 0 when nothing was sent. */
  ingestSeconds: number;
}

const SPACE = { cosine: 'cosinesimil', dot: 'innerproduct' } as const;

/** Queries through the search pipeline at once: each is one embedding call plus one kNN search. */
const SEARCH_CONCURRENCY = 4;

export class OpenSearchMlBackend implements SearchBackend {
  readonly name = 'opensearch-ml';
  private readonly api: MlApi;
  private readonly retry: RetryPolicy;
  /** Models prepared in this run, by their identity (one connector + model serves every index of that system). */
  private readonly models = new Map<string, Promise<MlObjects['model']>>();
  /** Connectors and models to delete at close (endpoints that die with the run). */
  private readonly temporary: { connectorId: string; modelId: string }[] = [];
  private readonly prepared = new Map<string, MlObjects>();
  private cleared: Promise<void> | undefined;

  private constructor(
    private readonly client: Client,
    private readonly opts: MlEngineOptions,
    private readonly node: NodeInfo,
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.api = new MlApi(client, { url: opts.url, taskTimeoutMs: opts.taskTimeoutMs ?? 120_000 });
  }

  static async connect(opts: MlEngineOptions): Promise<OpenSearchMlBackend> {
    const { client, node } = await connectProbed({ url: opts.url, caFile: opts.caFile, insecure: opts.insecure, auth: opts.auth }, (node) => {
      const missing = ['opensearch-ml', 'opensearch-knn'].filter((p) => !node.plugins.includes(p));
      if (missing.length > 0) {
        throw new UserError(
          `OpenSearch at ${redactUrl(opts.url)} lacks ${missing.join(' and ')} (plugins: ${node.plugins.join(', ') || 'none'}); ` +
            'the opensearch-ml engine needs ml-commons and k-NN (scripts/opensearch-local.sh installs both)',
        );
      }
    });
    return new OpenSearchMlBackend(client, opts, node);
  }

  indexName(key: Pick<IndexKey, 'dataset' | 'model' | 'system' | 'docSet'>): string {
    return mlIndexName(key, this.opts.indexPrefix);
  }

  private log(message: string): void {
    if (!this.opts.quiet) process.stderr.write(`${message}\n`);
  }

  /** The deployed model that embeds for `emb` (created, reused or checked), shared by every index of the run. */
  prepare(emb: ServerEmbedding): Promise<MlObjects['model']> {
    const id = JSON.stringify(emb.model.kind === 'cluster' ? emb.model : [emb.model.endpoint.url, emb.model.endpoint.model, bodyShapeOf(emb.sides)]);
    let m = this.models.get(id);
    if (!m) {
      m = (emb.model.kind === 'cluster' ? this.checkClusterModel(emb.model.modelId) : this.endpointModel(emb.model, bodyShapeOf(emb.sides))).then(async (model) => {
        await this.probeDimension(model, emb);
        return model;
      });
      this.models.set(id, m);
    }
    return m;
  }

  /** --opensearch-model-id: it must exist, be deployed, and embed text. */
  private async checkClusterModel(modelId: string): Promise<MlObjects['model']> {
    const m = await this.api.getModel(modelId);
    if (m.state !== 'DEPLOYED') {
      throw new UserError(
        `ml-commons model "${modelId}" at ${redactUrl(this.opts.url)} is ${m.state || 'not deployed'}, not DEPLOYED: ` +
          `deploy it first (POST /_plugins/_ml/models/${modelId}/_deploy)`,
      );
    }
    const kind = m.algorithm === 'REMOTE' ? 'remote' : m.algorithm === 'TEXT_EMBEDDING' ? 'text_embedding' : null;
    if (!kind) throw new UserError(`ml-commons model "${modelId}" at ${redactUrl(this.opts.url)} is a ${m.algorithm} model; opensearch-ml needs a text embedding (or remote) model`);
    return { id: modelId, kind, source: 'cluster' };
  }

  /**
   * Connectors (and their models) to temporary endpoints that no longer answer: left by a run that was interrupted
   * before it could delete them. Live ones (another run's server) are left alone.
   */
  private async clearLeftovers(): Promise<void> {
    for (const c of await this.api.findConnectors(`${TAG}-connector-`, true)) {
      if (!c.description?.includes(TEMPORARY_MARK) || !c.url || (await answers(c.url))) continue;
      this.log(`removing ml-commons connector ${c.id} left by an interrupted run (${c.url} no longer answers)`);
      for (const m of await this.api.modelsOfConnector(c.id)) await this.api.deleteModel(m.id);
      await this.api.deleteConnector(c.id);
    }
  }

  /** Reuse the connector and model of this endpoint's slot when their fingerprint matches; otherwise replace them. */
  private async endpointModel(model: Extract<ServerModel, { kind: 'endpoint' }>, shape: ReturnType<typeof bodyShapeOf>): Promise<MlObjects['model']> {
    if (model.ephemeral) await (this.cleared ??= this.clearLeftovers());
    const { body, fingerprint } = connectorBody({ ...model.endpoint, temporary: model.ephemeral }, shape);
    const name = body.name as string;
    let reuse: { connectorId: string; model?: ModelInfo } | null = null;
    for (const c of await this.api.findConnectors(name)) {
      const models = await this.api.modelsOfConnector(c.id);
      // A temporary endpoint's connector holds that server's key: one left at this address by an earlier run has a stale one.
      if (!reuse && !this.opts.recreate && !model.ephemeral && fingerprintIn(c.description) === fingerprint) {
        const match = models.find((m) => fingerprintIn(m.description) === fingerprint);
        reuse = { connectorId: c.id, model: match };
        for (const m of models) if (m !== match) await this.api.deleteModel(m.id);
        continue;
      }
      this.log(`replacing ml-commons connector ${c.id} (${name}): ${this.opts.recreate ? 'recreate was requested' : model.ephemeral ? 'an earlier run\'s temporary endpoint' : 'its fingerprint differs'}`);
      for (const m of models) await this.api.deleteModel(m.id);
      await this.api.deleteConnector(c.id);
    }
    const modelName = name.replace(`${TAG}-connector-`, `${TAG}-model-`);
    let connectorId: string;
    let modelId: string;
    let source: 'created' | 'reused';
    if (reuse?.model) {
      ({ connectorId } = reuse);
      modelId = reuse.model.id;
      source = 'reused';
      if (reuse.model.state !== 'DEPLOYED') {
        this.log(`deploying ml-commons model ${modelId} (${reuse.model.state})`);
        await this.api.deploy(modelId);
      }
      this.log(`reusing ml-commons connector ${connectorId} and model ${modelId} (${modelName})`);
    } else {
      connectorId = reuse?.connectorId ?? (await this.api.createConnector(body));
      modelId = await this.api.registerAndDeploy(registerBody(connectorId, fingerprint, modelName));
      source = 'created';
      this.log(`created ml-commons connector ${connectorId} and deployed model ${modelId} (${modelName}) -> ${model.endpoint.url}`);
    }
    if (model.ephemeral) this.temporary.push({ connectorId, modelId });
    return { id: modelId, kind: 'remote', source, connectorId };
  }

  /** One prediction before any document: the model answers, with vectors of the dimension the index is made for. */
  private async probeDimension(model: ServerModelRef, emb: ServerEmbedding): Promise<void> {
    const v = predictedVector(await this.api.predict(model.id, predictBody(model.kind, emb.sides.passage, 'beir-bench probe')), `model "${model.id}"`);
    if (v.length !== emb.dimension) {
      throw new UserError(`ml-commons model "${model.id}" at ${redactUrl(this.opts.url)} returns ${v.length}-dimensional vectors; the model settings say ${emb.dimension} (--dimension)`);
    }
  }

  private spec(key: IndexKey, index: string, emb: ServerEmbedding): MlIndexSpec {
    const o = this.opts;
    return {
      key,
      dimension: emb.dimension,
      spaceType: SPACE[emb.similarity],
      engine: o.engine,
      m: o.m,
      efConstruction: o.efConstruction,
      shards: o.shards ?? 1,
      replicas: o.replicas ?? 0,
      pipeline: ingestPipelineName(index),
    };
  }

  private async put(path: string, body: Record<string, unknown>, what: string): Promise<void> {
    try {
      await withRetry(() => this.client.transport.request({ method: 'PUT', path, body }), this.retry);
    } catch (err) {
      throw new UserError(`Cannot create ${what} at ${redactUrl(this.opts.url)}: ${errorReason(err)}`);
    }
  }

  /**
   * Create (or reuse, or complete) the index of `key` with documents embedded by the server. An index whose
   * metadata matches but lacks documents (an ingestion that stopped) gets only the missing ones.
   */
  async index({ key, corpus, serverEmbedding: emb }: IndexInput): Promise<IndexOutcome> {
    if (!emb) throw new Error('opensearch-ml backend: the server embeds; index() needs serverEmbedding');
    const index = this.indexName(key);
    const model = await this.prepare(emb);
    const ingestPipeline = ingestPipelineName(index);
    const searchPipeline = searchPipelineName(index);
    await this.put(`/_ingest/pipeline/${ingestPipeline}`, ingestPipelineBody(model.id, model.kind, emb.sides.passage, key.fingerprint), `ingest pipeline "${ingestPipeline}"`);
    const spec = this.spec(key, index, emb);
    let present = new Set<string>();
    try {
      if ((await this.client.indices.exists({ index })).body) {
        const mapping = (await this.client.indices.getMapping({ index })).body[index]?.mappings ?? {};
        const reason = this.opts.recreate ? 'recreate was requested' : mlReuseMismatch(mapping as Record<string, any>, spec);
        if (reason === null) {
          present = await this.idsIn(index);
        } else {
          this.log(`rebuilding index "${index}": ${reason}`);
          await this.client.indices.delete({ index });
        }
      }
      if (present.size === 0) await this.client.indices.create({ index, body: mlIndexBody(spec) });
    } catch (err) {
      throw err instanceof UserError ? err : new UserError(`Cannot prepare index "${index}" at ${redactUrl(this.opts.url)}: ${errorReason(err)}`);
    }
    const missing = corpus.size - present.size;
    if (present.size > 0) {
      this.log(missing <= 0 ? `reusing index "${index}" (${present.size} docs)` : `resuming index "${index}": ${present.size} docs present, ingesting the ${missing} missing`);
    }
    const t0 = performance.now();
    if (missing > 0) {
      // Raw text only: the index's default_pipeline embeds each document on the node.
      async function* rows(): AsyncIterable<BulkRow> {
        for await (const doc of corpus.stream()) if (!present.has(doc.id)) yield { doc };
      }
      await bulkIngest(this.client, { count: missing, rows: rows() }, {
        index,
        url: this.opts.url,
        concurrency: this.opts.concurrency,
        batchSize: this.opts.bulkBatchSize,
        retry: this.retry,
        quiet: this.opts.quiet,
        extraSource: (d) => ({ [PASSAGE_FIELD]: passageText(d, '') }),
        rerunHint: 'Re-running ingests only the missing documents; check the embedding endpoint first.',
      });
    }
    const count = await refreshAndCount(this.client, index, this.opts.url);
    if (count !== corpus.size) {
      throw new UserError(`index "${index}" at ${redactUrl(this.opts.url)} holds ${count} documents after ingestion, expected ${corpus.size} (duplicate doc ids, or documents from another corpus?)`);
    }
    const objects: MlObjects = { index, model, ingestPipeline, searchPipeline, sides: emb.sides, ingested: Math.max(0, missing), alreadyIndexed: present.size, ingestSeconds: missing > 0 ? (performance.now() - t0) / 1000 : 0 };
    this.prepared.set(index, objects);
    return { record: { ml: objects }, timings: { ingest: objects.ingestSeconds } };
  }

  /** Ids of the documents an index holds (scroll, ids only). */
  private async idsIn(index: string): Promise<Set<string>> {
    await this.client.indices.refresh({ index });
    const ids = new Set<string>();
    let res = await this.client.search({ index, scroll: '1m', body: { size: 5000, _source: false, sort: ['_doc'] } });
    let scrollId = res.body._scroll_id;
    try {
      for (;;) {
        const hits = res.body.hits.hits;
        if (hits.length === 0) break;
        for (const h of hits) ids.add(h._id as string);
        res = await this.client.scroll({ scroll_id: scrollId!, scroll: '1m' });
        scrollId = res.body._scroll_id;
      }
    } finally {
      if (scrollId) await this.client.clearScroll({ scroll_id: scrollId }).catch(() => undefined);
    }
    return ids;
  }


  /** Each query's top k, embedded and searched by the node through the index's search pipeline. */
  async search({ key, queries, k, serverEmbedding: emb, hybrid }: SearchInput): Promise<RankedRun> {
    if (!emb || hybrid) throw new Error('opensearch-ml backend: searches need serverEmbedding, and hybrid queries are not supported');
    const index = this.indexName(key);
    const objects = this.prepared.get(index);
    if (!objects) throw new Error(`search before index for ${index}`);
    const pipeline = objects.searchPipeline;
    await this.put(
      `/_search/pipeline/${pipeline}`,
      searchPipelineBody(objects.model.id, objects.model.kind, emb.sides.query, { k, efSearch: this.opts.efSearch }, key.fingerprint),
      `search pipeline "${pipeline}"`,
    );
    const limit = pLimit(SEARCH_CONCURRENCY);
    const hits = await Promise.all(queries.map((q) => limit(() => searchThroughPipeline(this.client, { index, pipeline, url: this.opts.url, retry: this.retry }, q))));
    // The node breaks score ties by its internal doc order; the shared order breaks them by doc id.
    return new Map(queries.map((q, i) => [q.id, rankDocs(hits[i])]));
  }

  describe(): Record<string, unknown> {
    return describeOpenSearch(this.name, this.opts, this.node, {
      embedding: 'server-side: ml-commons ml_inference ingest processor (passages) and search request processor (queries)',
    });
  }

  /** Remove what only this run could use (connectors to the harness's own endpoint), then disconnect. */
  async close(): Promise<void> {
    for (const t of this.temporary) {
      try {
        await this.api.deleteModel(t.modelId);
        await this.api.deleteConnector(t.connectorId);
      } catch (err) {
        process.stderr.write(`warning: could not delete ml-commons model ${t.modelId} / connector ${t.connectorId}: ${errorReason(err)}\n`);
      }
    }
    await this.client.close();
  }
}

/** One query's hits, embedded and searched by the node through `pipeline`; a missing pipeline is one clear line. */
export async function searchThroughPipeline(
  client: Client,
  at: { index: string; pipeline: string; url: string; retry: RetryPolicy },
  q: Query,
): Promise<Map<string, number>> {
  const { index, pipeline } = at;
  let body: { hits?: { hits: { _id: string; _score: number }[] } };
  try {
    const res = await withRetry(
      () => client.transport.request({ method: 'POST', path: `/${index}/_search`, querystring: { search_pipeline: pipeline }, body: pipelineQuery(q.text) }),
      at.retry,
    );
    body = res.body as typeof body;
  } catch (err) {
    const reason = errorReason(err);
    if (err instanceof errors.ResponseError && /pipeline/i.test(reason) && /not defined|not exist|missing/i.test(reason)) {
      throw new UserError(`Search pipeline "${pipeline}" does not exist at ${redactUrl(at.url)} (${reason}); re-running the bench recreates it`);
    }
    throw new UserError(`Search through pipeline "${pipeline}" on index "${index}" at ${redactUrl(at.url)} failed for query "${q.id}": ${reason}`);
  }
  if (!body.hits) throw new UserError(`Search through pipeline "${pipeline}" on index "${index}" returned no hits for query "${q.id}"`);
  return new Map(body.hits.hits.map((h) => [h._id, h._score]));
}

/** Whether something accepts TCP connections at the URL's host and port (1 s). */
function answers(url: string): Promise<boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return socketReaches(connect({ host: u.hostname, port, timeout: 1000 }), 'connect');
}

/**
 * Retrieval on engines that embed on the server (opensearch-ml): OpenSearch embeds the passages (ingest pipeline) and the queries
 * (search pipeline) itself, through a model it calls. The system's encoder says which model: `local` = the
 * harness's own `beir-bench serve` on loopback (its embedding cache makes known passages cheap), `remote` = the
 * user's endpoint, `opensearch-model` = a model already deployed in the cluster (--opensearch-model-id).
 */
import { createHash } from 'node:crypto';
import type { IndexKey } from '../backends/index-key.js';
import type { ServerEmbedding, ServerModel, SideRequests } from '../backends/opensearch-ml/requests.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import type { EncoderInfo } from '../embed/encoder.js';
import { API_KEY_ENV } from '../systems/encoder-url.js';
import { embeddingsUrl } from '../embed/remote-encoder.js';
import { UserError } from '../errors.js';
import { passageText } from '../models/input-text.js';
import { policyInputTypes, resolvePrefixes, type DenseSystem } from '../systems/system.js';
import { timed } from '../timings.js';
import { sha256Lines, type RunResources } from './resources.js';
import { docSetOf, indexInto, inputRecord, type InputRecord, type Retrieval } from './retrieval.js';

/**
 * What each side asks of the model. The article's way is content_type (the endpoint or the model applies the
 * prefixes); an endpoint that is sent prefixes (--encoder-asymmetry prefix), and explicit prefix strings, get them
 * through the connector's `${parameters.prefix}` instead.
 */
export function serverSides(system: Pick<DenseSystem, 'model' | 'prefix' | 'encoder'>): SideRequests {
  const { encoder, prefix: policy } = system;
  const byPrefix = typeof policy === 'object' || (encoder.kind === 'remote' && encoder.asymmetry === 'prefix');
  if (byPrefix) {
    if (encoder.kind === 'opensearch-model') throw new UserError('a model deployed in OpenSearch is told the side by content_type: use a named prefix policy');
    const p = resolvePrefixes(system.model, policy);
    return { passage: { contentType: null, prefix: p.passage }, query: { contentType: null, prefix: p.query } };
  }
  const t = policyInputTypes(policy as Exclude<typeof policy, object>);
  return { passage: { contentType: t.passage, prefix: '' }, query: { contentType: t.query, prefix: '' } };
}

/** The model OpenSearch calls, and what identifies its vectors (part of the index fingerprint). */
async function serverModel(system: DenseSystem, res: RunResources): Promise<{ model: ServerModel; identity: string; encoder: EncoderInfo | null }> {
  const { encoder } = system;
  if (encoder.kind === 'opensearch-model') return { model: { kind: 'cluster', modelId: encoder.modelId }, identity: `cluster model ${encoder.modelId}`, encoder: null };
  if (encoder.kind === 'remote') {
    if (encoder.urls.length !== 1) {
      throw new UserError(`system ${system.id}: an ml-commons connector calls one endpoint; give opensearch-ml one --encoder-url (got ${encoder.urls.length})`);
    }
    const url = embeddingsUrl(encoder.urls[0]);
    const model = encoder.model ?? system.model.id;
    const apiKey = process.env[API_KEY_ENV] || undefined;
    return { model: { kind: 'endpoint', endpoint: { url, model, apiKey, identity: `${url} ${model}` }, ephemeral: false }, identity: `${url} ${model}`, encoder: null };
  }
  const server = await res.embeddingServer(system);
  const info = (await res.encoderFor(system, null)).info;
  const identity = `beir-bench serve ${configHash(keyPartsOf(info))}`;
  return { model: { kind: 'endpoint', endpoint: { url: `${server.url}/embeddings`, model: system.model.id, apiKey: server.apiKey, identity }, ephemeral: true }, identity, encoder: info };
}

/** The harness encoded nothing itself (encoded and fromCache 0): the node sent the texts to the model (engine.ml says how many). */
function serverRecord(side: 'queries' | 'passages', contentType: string | null, prefix: string, count: number, sha256: string, example: string): InputRecord {
  const how = contentType ? `content_type "${contentType}"` : prefix ? `prefix ${JSON.stringify(prefix)} (connector parameter)` : 'no prefix';
  return inputRecord(side, (text) => `${text}, embedded by OpenSearch with ${how}`, '', { count, sha256, example, encoded: 0, fromCache: 0, reused: false, seconds: 0 });
}

export async function retrieveServerSide(system: DenseSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const sides = serverSides(system);
  const { model, identity, encoder } = await serverModel(system, res);
  const emb: ServerEmbedding = { model, sides, dimension: system.model.dimension, similarity: system.model.similarity };
  const docSet = docSetOf(ds);
  const fingerprint = createHash('sha256').update(JSON.stringify([identity, sides.passage, emb.dimension, docSet])).digest('hex').slice(0, 16);
  const key: IndexKey = { dataset: ds.name, model: system.model.id, system: system.id, docSet, fingerprint };
  const backend = await res.backendFor(system.engine);
  const indexed = await indexInto(backend, { key, corpus: ds.corpus, serverEmbedding: emb }, timings);
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, k: depth, serverEmbedding: emb }));

  // What OpenSearch was given to embed (the raw texts; the prefix is the model's or the connector's business).
  let example: string | undefined;
  const passageSha = createHash('sha256');
  for await (const doc of ds.corpus.stream()) {
    const t = passageText(doc, '');
    passageSha.update(t).update('\n');
    example ??= t;
  }
  const queryTexts = ds.queries.map((q) => q.text);
  return {
    hits,
    inputs: {
      passages: serverRecord('passages', sides.passage.contentType, sides.passage.prefix, ds.corpus.size, passageSha.digest('hex'), example ?? ''),
      queries: serverRecord('queries', sides.query.contentType, sides.query.prefix, queryTexts.length, sha256Lines(queryTexts), queryTexts[0] ?? ''),
    },
    encoder,
    engine: { engine: system.engine, ...backend.describe(), ...indexed },
    timings,
  };
}

/**
 * The bodies the opensearch-ml engine sends to OpenSearch, as pure functions: the ml-commons connector to an
 * OpenAI-compatible embedding endpoint, the ingest pipeline (ml_inference, passage side), the search pipeline
 * (ml_inference request processor whose query_template is the kNN query, query side), the index, and the names
 * and fingerprints that make a re-run reuse what matches and replace what does not.
 *
 * Request shapes follow ml-commons 2.19.1 (MLInferenceIngestProcessor, MLInferenceSearchRequestProcessor,
 * ModelExecutor, ConnectorUtils): with `function_name: remote` a processor passes `model_config` entries and the
 * mapped text as connector `${parameters.*}`, substituted raw (JSON-escaped unless the text is itself a JSON
 * object/array) and without the connector's pre_process_function; hence the `["${parameters.input}"]` body.
 */
import { createHash } from 'node:crypto';
import type { IndexKey } from '../index-key.js';
import type { InputType } from '../../models/input-text.js';

/** The document field holding the text the model embeds: `(title + " " + text).trim()`, no prefix. */
export const PASSAGE_FIELD = 'passage';
export const VECTOR_FIELD = 'vector';
/** The ml_inference output path of a remote model answered through connector.post_process.openai.embedding. */
export const OUTPUT_PATH = '$.inference_results[0].output[0].data';
/** Every object this engine creates carries this tag in its name or description. */
export const TAG = 'beir-bench';
/** Bump when the index or pipeline layout changes, so older indexes are rebuilt rather than reused. */
const LAYOUT_VERSION = 1;

/** How one side's text reaches the model: the article's `content_type`, and a prefix the connector prepends. */
export interface SideRequest {
  /** Sent as the predict parameter `content_type` (the connector forwards it as `input_type`); null: not sent. */
  contentType: InputType | null;
  /** Prepended by the connector's request template (`${parameters.prefix}`); "" for none. */
  prefix: string;
}

export interface SideRequests {
  passage: SideRequest;
  query: SideRequest;
}

/** What the connector's request body carries besides the text. */
export interface BodyShape {
  /** `"input_type": "${parameters.content_type}"`: the endpoint applies its model's prefixes (beir-bench serve does). */
  inputType: boolean;
  /** `"${parameters.prefix}${parameters.input}"`: the prefix travels inside the text. */
  prefix: boolean;
}

export function bodyShapeOf(sides: SideRequests): BodyShape {
  const all = [sides.passage, sides.query];
  return { inputType: all.some((s) => s.contentType !== null), prefix: all.some((s) => s.prefix !== '') };
}

/** An OpenAI-compatible endpoint the node calls. */
export interface EndpointSpec {
  /** The POST target, e.g. http://127.0.0.1:41234/v1/embeddings. */
  url: string;
  /** The request's `model` field. */
  model: string;
  /** Sent as `Authorization: Bearer` through the connector's (encrypted) credential; never part of a fingerprint. */
  apiKey?: string;
  /** What answers there (weights and settings for the harness's own server, else the URL): part of the vectors' fingerprint. */
  identity: string;
  /** The endpoint lives only as long as the run (the harness's own server): marked so a later run can clear leftovers. */
  temporary?: boolean;
}

/** In the description of a connector to a temporary endpoint. */
export const TEMPORARY_MARK = '[temporary endpoint]';

/** Connection settings of the connector's HTTP client (ml-commons ConnectorClientConfig). */
export const CLIENT_CONFIG = {
  max_connection: 16,
  connection_timeout: 5000,
  read_timeout: 60000,
  max_retry_times: 2,
  retry_backoff_millis: 200,
  retry_backoff_policy: 'exponential_equal_jitter',
} as const;

export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The connector's predict request template: the text as a one-element list, plus input_type when asked. */
export function requestBodyTemplate(model: string, shape: BodyShape): string {
  const text = shape.prefix ? '${parameters.prefix}${parameters.input}' : '${parameters.input}';
  const inputType = shape.inputType ? ', "input_type": "${parameters.content_type}"' : '';
  return `{"model": ${JSON.stringify(model)}, "input": ["${text}"]${inputType}, "encoding_format": "float"}`;
}

/** A connector's slot: one per endpoint URL, model and body shape. A re-run finds it by name and reuses or replaces it. */
export function connectorName(endpoint: Pick<EndpointSpec, 'url' | 'model'>, shape: BodyShape): string {
  const slot = sha(JSON.stringify([endpoint.url, endpoint.model, shape])).slice(0, 12);
  return `${TAG}-connector-${slot}`;
}

/** Body of POST /_plugins/_ml/connectors/_create, and its fingerprint (everything but the key itself). */
export function connectorBody(endpoint: EndpointSpec, shape: BodyShape): { body: Record<string, unknown>; fingerprint: string } {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (endpoint.apiKey) headers.Authorization = 'Bearer ${credential.key}';
  const action = {
    action_type: 'predict',
    method: 'POST',
    url: endpoint.url,
    headers,
    request_body: requestBodyTemplate(endpoint.model, shape),
    post_process_function: 'connector.post_process.openai.embedding',
  };
  const parameters = shape.prefix ? { prefix: '' } : {};
  const fingerprint = sha(JSON.stringify([LAYOUT_VERSION, action, parameters, CLIENT_CONFIG, Boolean(endpoint.apiKey)])).slice(0, 16);
  return {
    fingerprint,
    body: {
      name: connectorName(endpoint, shape),
      description: `${TAG} fingerprint=${fingerprint}: ${endpoint.model} at ${endpoint.url}${endpoint.temporary ? ` ${TEMPORARY_MARK}` : ''}`,
      version: '1',
      protocol: 'http',
      parameters,
      // ml-commons refuses a connector without credentials; a dummy one will do for an endpoint without a key.
      credential: { key: endpoint.apiKey ?? 'none' },
      client_config: CLIENT_CONFIG,
      actions: [action],
    },
  };
}

/** The fingerprint recorded in a description written by connectorBody / registerBody, or null. */
export function fingerprintIn(description: unknown): string | null {
  const m = typeof description === 'string' ? /fingerprint=([0-9a-f]+)/.exec(description) : null;
  return m ? m[1] : null;
}

/** Body of POST /_plugins/_ml/models/_register?deploy=true for a remote model over a connector. */
export function registerBody(connectorId: string, connectorFingerprint: string, name: string): Record<string, unknown> {
  return {
    name,
    function_name: 'remote',
    connector_id: connectorId,
    description: `${TAG} fingerprint=${connectorFingerprint}: remote embedding model over connector ${connectorId}`,
  };
}

/** How the processors call the model: a remote model (connector parameters) or a local text_embedding model (the article's TorchScript flow). */
export type ModelKind = 'remote' | 'text_embedding';

/** The ml_inference processor shared by both pipelines: model, side parameters, input and output mapping. */
function processor(
  modelId: string,
  kind: ModelKind,
  side: SideRequest,
  inputPath: string,
  output: string,
  description: string,
): Record<string, unknown> {
  const common = { tag: TAG, description, model_id: modelId, full_response_path: true, output_map: [{ [output]: OUTPUT_PATH }] };
  if (kind === 'text_embedding') {
    // The article's shape for a local model: its own query/passage prefixes, chosen by content_type.
    const parameters = side.contentType ? `,"parameters":{"content_type":"${side.contentType}"}` : '';
    return {
      ...common,
      function_name: 'text_embedding',
      model_input: `{"text_docs":["\${input_map.text_docs}"],"target_response":["sentence_embedding"]${parameters}}`,
      input_map: [{ text_docs: inputPath }],
    };
  }
  const modelConfig: Record<string, string> = {};
  if (side.contentType) modelConfig.content_type = side.contentType;
  if (side.prefix !== '') modelConfig.prefix = side.prefix;
  return {
    ...common,
    function_name: 'remote',
    ...(Object.keys(modelConfig).length > 0 ? { model_config: modelConfig } : {}),
    input_map: [{ input: inputPath }],
  };
}

/** Body of PUT /_ingest/pipeline/<name>: embed the passage field into the vector field. */
export function ingestPipelineBody(modelId: string, kind: ModelKind, side: SideRequest, fingerprint: string): Record<string, unknown> {
  const description = `${TAG} fingerprint=${fingerprint}: passage embeddings by model ${modelId}`;
  return { description, processors: [{ ml_inference: processor(modelId, kind, side, PASSAGE_FIELD, VECTOR_FIELD, description) }] };
}

/** The query body sent through the search pipeline: the text in a term query the processor reads and replaces. */
export function pipelineQuery(text: string): Record<string, unknown> {
  return { query: { term: { [PASSAGE_FIELD]: { value: text } } } };
}

const QUERY_VECTOR = 'query_vector';

/** Body of PUT /_search/pipeline/<name>: embed the query text, then search with query_template's kNN query. */
export function searchPipelineBody(
  modelId: string,
  kind: ModelKind,
  side: SideRequest,
  search: { k: number; efSearch: number },
  fingerprint: string,
): Record<string, unknown> {
  const description = `${TAG} fingerprint=${fingerprint}: query embeddings by model ${modelId}, kNN top ${search.k}`;
  const knn = `{"vector": \${${QUERY_VECTOR}}, "k": ${search.k}, "method_parameters": {"ef_search": ${search.efSearch}}}`;
  return {
    description,
    request_processors: [
      {
        ml_inference: {
          ...processor(modelId, kind, side, `query.term.${PASSAGE_FIELD}.value`, QUERY_VECTOR, description),
          query_template: `{"size": ${search.k}, "_source": false, "track_total_hits": false, "query": {"knn": {"${VECTOR_FIELD}": ${knn}}}}`,
        },
      },
    ],
  };
}

/** What the index holds and how it is laid out; stored in its mapping's _meta and compared on reuse. */
export interface MlIndexSpec {
  key: IndexKey;
  dimension: number;
  spaceType: 'cosinesimil' | 'innerproduct';
  engine: 'lucene' | 'faiss';
  m: number;
  efConstruction: number;
  shards: number;
  replicas: number;
  /** The ingest pipeline every write goes through (index.default_pipeline). */
  pipeline: string;
}

/** `<prefix>-ml-<dataset>-<system>-<hash>`: apart from the client-vector indexes of the same system. */
export function mlIndexName(key: Pick<IndexKey, 'dataset' | 'model' | 'system' | 'docSet'>, prefix = TAG): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const hash = sha(`${key.dataset}\0${key.model}\0${key.system}\0${key.docSet}`).slice(0, 8);
  return `${[prefix, 'ml', key.dataset, key.system].map(slug).filter(Boolean).join('-').slice(0, 200)}-${hash}`;
}

export const ingestPipelineName = (index: string) => `${index}-ingest`;
export const searchPipelineName = (index: string) => `${index}-search`;

function meta(spec: MlIndexSpec): Record<string, unknown> {
  return { layout: LAYOUT_VERSION, ...spec };
}

function properties(spec: MlIndexSpec): Record<string, unknown> {
  return {
    title: { type: 'text' },
    text: { type: 'text' },
    [PASSAGE_FIELD]: { type: 'text' },
    [VECTOR_FIELD]: {
      type: 'knn_vector',
      dimension: spec.dimension,
      method: { name: 'hnsw', engine: spec.engine, space_type: spec.spaceType, parameters: { m: spec.m, ef_construction: spec.efConstruction } },
    },
  };
}

/**
 * Body of PUT /<index>. The vector stays in _source (unlike client-vector indexes): it is the server's output,
 * which the deployment audit reads back.
 */
export function mlIndexBody(spec: MlIndexSpec): Record<string, unknown> {
  return {
    settings: {
      index: {
        number_of_shards: spec.shards,
        number_of_replicas: spec.replicas,
        refresh_interval: '-1',
        knn: true,
        default_pipeline: spec.pipeline,
      },
    },
    mappings: { _meta: { [TAG]: meta(spec) }, dynamic: 'strict', properties: properties(spec) },
  };
}

/** Every leaf of `expected` is present and equal in `actual`. */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => contains(actual[i], e));
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
}

/**
 * Why an existing index cannot hold `spec`'s vectors, or null when it can (it may still lack documents: a run
 * that stopped mid-ingest is resumed, not rebuilt).
 */
export function mlReuseMismatch(mapping: { _meta?: Record<string, unknown>; properties?: Record<string, unknown> }, spec: MlIndexSpec): string | null {
  const stored = mapping._meta?.[TAG];
  if (!contains(stored, meta(spec)) || !contains(meta(spec), stored)) return `its metadata differs (stored ${JSON.stringify(stored ?? null)})`;
  if (!contains(mapping.properties, properties(spec))) return 'its field mapping differs';
  return null;
}

/** Which model embeds: a remote model the engine creates over an endpoint, or one already deployed in the cluster. */
export type ServerModel =
  | {
      kind: 'endpoint';
      endpoint: EndpointSpec;
      /** The endpoint lives only for this run (the harness's own server): its connector and model are deleted at close. */
      ephemeral: boolean;
    }
  | { kind: 'cluster'; modelId: string };

/** Everything the server needs to embed one system's texts. */
export interface ServerEmbedding {
  model: ServerModel;
  sides: SideRequests;
  dimension: number;
  similarity: 'cosine' | 'dot';
}

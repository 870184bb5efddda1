/**
 * The opensearch-ml engine's request bodies and naming rules (pure: no node). The bodies are what ml-commons
 * 2.19.1 accepts (checked end to end in ml-engine.test.ts); here: what varies with the arm, and what reuse keys on.
 */
import { describe, expect, it } from 'vitest';
import {
  bodyShapeOf,
  connectorBody,
  connectorName,
  fingerprintIn,
  ingestPipelineBody,
  mlIndexBody,
  mlIndexName,
  mlReuseMismatch,
  requestBodyTemplate,
  searchPipelineBody,
  type MlIndexSpec,
} from '../../src/backends/opensearch-ml/requests.js';
import { predictBody } from '../../src/backends/opensearch-ml/vectors.js';
import { serverSides } from '../../src/retrieval/retrieve-server.js';
import { getModel } from '../../src/models/registry.js';
import type { EncoderSpec } from '../../src/systems/system.js';
import { createIndexBody, indexName, reuseMismatch } from '../../src/backends/opensearch-index.js';

const E5 = getModel('intfloat/e5-small-v2');
const endpoint = { url: 'http://127.0.0.1:8080/v1/embeddings', model: E5.id, identity: 'serve abc' };

describe('what each arm asks of the model', () => {
  it('asymmetric with the harness server or an input-type endpoint: content_type passage/query, no prefix in the text', () => {
    for (const encoder of [{ kind: 'local', dtype: 'fp32' }, { kind: 'remote', urls: ['http://x/v1'], asymmetry: 'input-type' }] as EncoderSpec[]) {
      expect(serverSides({ model: E5, prefix: 'model', encoder })).toEqual({ passage: { contentType: 'passage', prefix: '' }, query: { contentType: 'query', prefix: '' } });
    }
  });

  it('symmetric: neither content_type nor prefix, so the connector body has no input_type', () => {
    const sides = serverSides({ model: E5, prefix: 'none', encoder: { kind: 'local', dtype: 'fp32' } });
    expect(sides).toEqual({ passage: { contentType: null, prefix: '' }, query: { contentType: null, prefix: '' } });
    expect(bodyShapeOf(sides)).toEqual({ inputType: false, prefix: false });
    expect(requestBodyTemplate(E5.id, bodyShapeOf(sides))).toBe('{"model": "intfloat/e5-small-v2", "input": ["${parameters.input}"], "encoding_format": "float"}');
  });

  it('an endpoint that is sent prefixes, and explicit strings: the prefix travels as a connector parameter', () => {
    const sides = serverSides({ model: E5, prefix: 'model', encoder: { kind: 'remote', urls: ['http://x/v1'], asymmetry: 'prefix' } });
    expect(sides).toEqual({ passage: { contentType: null, prefix: 'passage: ' }, query: { contentType: null, prefix: 'query: ' } });
    expect(requestBodyTemplate('m', bodyShapeOf(sides))).toBe('{"model": "m", "input": ["${parameters.prefix}${parameters.input}"], "encoding_format": "float"}');
    expect(serverSides({ model: E5, prefix: { query: 'q: ', passage: 'p: ' }, encoder: { kind: 'local', dtype: 'fp32' } }).passage).toEqual({ contentType: null, prefix: 'p: ' });
  });

  it('a deployed cluster model under symmetric-query: content_type query on both sides; explicit strings are refused', () => {
    const cluster = { kind: 'opensearch-model', modelId: 'abc' } as const;
    expect(serverSides({ model: E5, prefix: 'query-both', encoder: cluster })).toEqual({ passage: { contentType: 'query', prefix: '' }, query: { contentType: 'query', prefix: '' } });
    expect(() => serverSides({ model: E5, prefix: { query: 'a', passage: 'b' }, encoder: cluster })).toThrow(/content_type: use a named prefix policy/);
  });
});

describe('processors', () => {
  const passage = { contentType: 'passage', prefix: '' } as const;
  const query = { contentType: 'query', prefix: '' } as const;

  it('ingest: remote model, content_type in model_config, passage field in, vector field out (full response path)', () => {
    const p = ingestPipelineBody('M1', 'remote', passage, 'fp1') as any;
    expect(p.description).toBe('beir-bench fingerprint=fp1: passage embeddings by model M1');
    expect(p.processors[0].ml_inference).toMatchObject({
      model_id: 'M1',
      function_name: 'remote',
      model_config: { content_type: 'passage' },
      input_map: [{ input: 'passage' }],
      output_map: [{ vector: '$.inference_results[0].output[0].data' }],
      full_response_path: true,
    });
  });

  it('search: the query text read from a term query, the kNN query written by query_template with k and ef_search', () => {
    const p = searchPipelineBody('M1', 'remote', query, { k: 11, efSearch: 100 }, 'fp1') as any;
    const proc = p.request_processors[0].ml_inference;
    expect(proc.input_map).toEqual([{ input: 'query.term.passage.value' }]);
    expect(proc.model_config).toEqual({ content_type: 'query' });
    const filled = proc.query_template.replace('${query_vector}', '[0.5, -0.25]');
    expect(JSON.parse(filled)).toEqual({
      size: 11,
      _source: false,
      track_total_hits: false,
      query: { knn: { vector: { vector: [0.5, -0.25], k: 11, method_parameters: { ef_search: 100 } } } },
    });
  });

  it('a local text_embedding model gets the article\'s model_input with content_type as a parameter', () => {
    const proc = (ingestPipelineBody('L1', 'text_embedding', passage, 'fp') as any).processors[0].ml_inference;
    expect(proc.function_name).toBe('text_embedding');
    expect(proc.model_input).toBe('{"text_docs":["${input_map.text_docs}"],"target_response":["sentence_embedding"],"parameters":{"content_type":"passage"}}');
    expect(proc.input_map).toEqual([{ text_docs: 'passage' }]);
  });

  it('_predict bodies equal one processor call of the side', () => {
    expect(predictBody('remote', query, 'what?')).toEqual({ parameters: { input: 'what?', content_type: 'query' } });
    expect(predictBody('remote', { contentType: null, prefix: 'query: ' }, 'x')).toEqual({ parameters: { input: 'x', prefix: 'query: ' } });
    expect(predictBody('text_embedding', passage, 'x')).toEqual({ text_docs: ['x'], target_response: ['sentence_embedding'], parameters: { content_type: 'passage' } });
  });
});

describe('connector: named by slot, fingerprinted by content, the key never in either', () => {
  const shape = { inputType: true, prefix: false };

  it('asks OpenSearch for the OpenAI post-processing and a dummy credential without a key', () => {
    const { body, fingerprint } = connectorBody(endpoint, shape);
    const action = (body.actions as any[])[0];
    expect(action).toMatchObject({ action_type: 'predict', method: 'POST', url: endpoint.url, post_process_function: 'connector.post_process.openai.embedding' });
    expect(action.pre_process_function).toBeUndefined();
    expect(action.request_body).toContain('"input_type": "${parameters.content_type}"');
    expect(body.credential).toEqual({ key: 'none' });
    expect(fingerprintIn(body.description)).toBe(fingerprint);
    expect(body.name).toBe(connectorName(endpoint, shape));
  });

  it('an API key goes into the credential and a Bearer header, and changes the fingerprint only by its presence', () => {
    const a = connectorBody({ ...endpoint, apiKey: 'secret-1' }, shape);
    const b = connectorBody({ ...endpoint, apiKey: 'secret-2' }, shape);
    expect((a.body.actions as any[])[0].headers.Authorization).toBe('Bearer ${credential.key}');
    expect(a.body.credential).toEqual({ key: 'secret-1' });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(connectorBody(endpoint, shape).fingerprint);
    expect(JSON.stringify({ ...a.body, credential: null })).not.toContain('secret-1');
  });

  it('another port or body shape is another slot; the same one is the same name and fingerprint', () => {
    const other = { ...endpoint, url: 'http://127.0.0.1:8081/v1/embeddings' };
    expect(connectorName(other, shape)).not.toBe(connectorName(endpoint, shape));
    expect(connectorName(endpoint, { inputType: false, prefix: false })).not.toBe(connectorName(endpoint, shape));
    expect(connectorBody(endpoint, shape)).toEqual(connectorBody({ ...endpoint }, shape));
  });
});

describe('index', () => {
  const key = { dataset: 'scifact', model: E5.id, system: 'e5-small-v2.asymmetric', docSet: 'abc', fingerprint: 'fp1' };
  const spec: MlIndexSpec = { key, dimension: 384, spaceType: 'cosinesimil', engine: 'lucene', m: 16, efConstruction: 100, shards: 2, replicas: 1, pipeline: 'p-ingest' };

  it('is named apart from the client-vector index of the same system', () => {
    expect(mlIndexName(key)).toMatch(/^beir-bench-ml-scifact-e5-small-v2-asymmetric-[0-9a-f]{8}$/);
    expect(mlIndexName(key)).not.toBe(indexName(key));
  });

  it('embeds through its default_pipeline, keeps the vector in _source, takes shards and replicas', () => {
    const body = mlIndexBody(spec) as any;
    expect(body.settings.index).toMatchObject({ number_of_shards: 2, number_of_replicas: 1, knn: true, default_pipeline: 'p-ingest' });
    expect(body.mappings._source).toBeUndefined();
    expect(body.mappings.properties.vector).toMatchObject({ type: 'knn_vector', dimension: 384, method: { engine: 'lucene', space_type: 'cosinesimil' } });
  });

  it('client-vector indexes take --shards / --replicas too, recorded in _meta only when not 1 and 0 (older indexes stay reusable)', () => {
    const base = { key, bm25: { k1: 0.9, b: 0.4 } };
    const plain = createIndexBody(base) as any;
    const spread = createIndexBody({ ...base, layout: { shards: 2, replicas: 1 } }) as any;
    expect(plain.settings.index).toMatchObject({ number_of_shards: 1, number_of_replicas: 0 });
    expect(spread.settings.index).toMatchObject({ number_of_shards: 2, number_of_replicas: 1 });
    expect(plain.mappings._meta['beir-bench'].shards).toBeUndefined();
    expect(reuseMismatch({ mapping: spread.mappings, docCount: 5 }, base, 5)).toMatch(/metadata differs/);
  });

  it('is reused only with the same metadata (fingerprint, layout, shards) and mapping', () => {
    const mapping = (mlIndexBody(spec) as any).mappings;
    expect(mlReuseMismatch(mapping, spec)).toBeNull();
    expect(mlReuseMismatch(mapping, { ...spec, key: { ...key, fingerprint: 'fp2' } })).toMatch(/metadata differs/);
    expect(mlReuseMismatch(mapping, { ...spec, shards: 1 })).toMatch(/metadata differs/);
    expect(mlReuseMismatch({ ...mapping, properties: { ...mapping.properties, vector: { type: 'knn_vector', dimension: 768 } } }, spec)).toBe('its field mapping differs');
  });
});

/**
 * The vectors OpenSearch itself produced, for the deployment audit (src/audit/):
 *
 *   serverPassageVectors(client, index, ids): Promise<Map<string, Float32Array>>
 *     The `vector` field of each document's _source in an opensearch-ml index (what the ingest pipeline wrote).
 *     Ids absent from the index are absent from the map.
 *
 *   serverQueryVectors(client, model, side, texts): Promise<Float32Array[]>
 *     What the model produces for each text when called as the search pipeline calls it: `_predict` with the
 *     side's content_type (and prefix parameter), one call per text, in order.
 *
 * `model` is a ServerModelRef ({ id, kind }) as OpenSearchMlBackend.prepare returns it (also recorded in
 * results.json under engine.ml.model), and `side` the SideRequest of that side (engine.ml.sides.query).
 */
import type { Client } from '@opensearch-project/opensearch';
import { UserError } from '../../errors.js';
import { permissionFailure } from '../opensearch-access-errors.js';
import { errorReason } from '../opensearch-client.js';
import { MlApi } from './ml-api.js';
import { VECTOR_FIELD, type ModelKind, type SideRequest } from './requests.js';

/** A deployed model as the pipelines call it. */
export interface ServerModelRef {
  id: string;
  kind: ModelKind;
}

/** Body of a _predict call equivalent to one processor call of `side` on `text`. */
export function predictBody(kind: ModelKind, side: SideRequest, text: string): Record<string, unknown> {
  if (kind === 'text_embedding') {
    return {
      text_docs: [text],
      target_response: ['sentence_embedding'],
      ...(side.contentType ? { parameters: { content_type: side.contentType } } : {}),
    };
  }
  return {
    parameters: {
      input: text,
      ...(side.contentType ? { content_type: side.contentType } : {}),
      ...(side.prefix !== '' ? { prefix: side.prefix } : {}),
    },
  };
}

/** The first output tensor's data of a _predict answer (`inference_results[0].output[0].data`). */
export function predictedVector(answer: Record<string, any>, what: string): Float32Array {
  const data = answer?.inference_results?.[0]?.output?.[0]?.data;
  if (!Array.isArray(data) || data.length === 0 || !data.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new UserError(`${what} returned no embedding (inference_results[0].output[0].data): ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return Float32Array.from(data);
}

export async function serverQueryVectors(client: Client, model: ServerModelRef, side: SideRequest, texts: readonly string[], url = 'OpenSearch'): Promise<Float32Array[]> {
  const api = new MlApi(client, { url, taskTimeoutMs: 0 });
  const out: Float32Array[] = [];
  for (const text of texts) out.push(predictedVector(await api.predict(model.id, predictBody(model.kind, side, text)), `model "${model.id}"`));
  return out;
}

export async function serverPassageVectors(client: Client, index: string, ids: readonly string[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    let docs: { _id: string; found: boolean; _source?: Record<string, unknown>; error?: { type?: string; reason?: string } }[];
    try {
      const res = await client.transport.request({ method: 'POST', path: `/${index}/_mget`, body: { ids: slice }, querystring: { _source_includes: VECTOR_FIELD } });
      docs = (res.body as { docs: typeof docs }).docs;
    } catch (err) {
      throw new UserError(`Cannot read vectors from index "${index}": ${errorReason(err)}`);
    }
    for (const d of docs) {
      // A refused or failed read is not a missing vector.
      if (d.error) throw new UserError(`Cannot read vectors from index "${index}": ${permissionFailure(d.error) ?? `${d.error.type}: ${d.error.reason}`}`);
      const v = d._source?.[VECTOR_FIELD];
      if (d.found && Array.isArray(v)) out.set(d._id, Float32Array.from(v as number[]));
    }
  }
  return out;
}

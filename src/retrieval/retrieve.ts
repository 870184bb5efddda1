/**
 * The retrieval seam: a system and a loaded dataset in, a ranked run and its provenance out. Every engine,
 * encoder and (later) fusion of systems is reached through `retrieve`; the bench loop knows none of them.
 */
import { createHash } from 'node:crypto';
import type { IndexKey, RankedRun } from '../backends/backend.js';
import { bm25SizeAdvice } from '../backends/bm25.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import type { EncoderInfo } from '../embed/encoder.js';
import type { RequestBody } from '../embed/remote-client.js';
import { passageText, PASSAGE_TEMPLATE, queryText, QUERY_TEMPLATE } from '../models/input-text.js';
import type { DenseSystem, LexicalSystem, SideInput, SystemSpec } from '../systems/system.js';
import { sideInputs } from '../systems/system.js';
import type { Matrix } from '../types.js';
import { timed } from '../timings.js';
import { sha256Lines, type RunResources } from './resources.js';

/** What was sent to the model for one side of one system: enough to reproduce it string for string. */
export interface InputRecord {
  /** Prepended by the harness ("" when an input-type endpoint applies the prefix: see `request`). */
  prefix: string;
  /** How each string was built, e.g. `"query: " + text`. */
  template: string;
  count: number;
  /** sha256 over every input string, in order, each followed by a newline. */
  sha256: string;
  example: string;
  /** Strings run through the model / served by the embedding cache (0 and 0 when `reused`). */
  encoded: number;
  fromCache: number;
  /** The same strings were already embedded for an earlier system of this run. */
  reused: boolean;
  seconds: number;
  /** Remote encoders only: how the strings were sent. */
  request?: RequestRecord;
}

/** The shape of every request of one side to remote endpoints, and what identified their answers. */
export interface RequestRecord {
  /** POST targets (the work was spread over all of them). */
  endpoints: string[];
  /** Every field of each request body besides `input`: model, encoding_format and, in input-type mode, input_type. */
  body: RequestBody;
  /** The model id the endpoints answered with. */
  endpointModel: string;
  /** Of the vectors answered for the probe strings (src/embed/probe-fingerprint.ts); part of the cache key. */
  fingerprint: string;
}

export interface Retrieval {
  /** Up to `depth` hits per query, in the shared ranking order, before self-hit removal. */
  hits: RankedRun;
  /** Dense systems: what went into the model, and the model as loaded. */
  inputs: { queries: InputRecord; passages: InputRecord } | null;
  encoder: EncoderInfo | null;
  /** The engine's settings and the index searched. */
  engine: Record<string, unknown>;
  timings: Record<string, number>;
}

/** Which docs an index holds (their ids, in order). */
const docSetOf = (ds: LoadedDataset): string => sha256Lines(ds.docs.map((d) => d.id)).slice(0, 16);

async function encodeSide(
  res: RunResources,
  system: DenseSystem,
  ds: LoadedDataset,
  side: 'queries' | 'passages',
  texts: string[],
  input: SideInput,
): Promise<{ matrix: Matrix; record: InputRecord; encoder: EncoderInfo }> {
  const encoder = await res.encoderFor(system, input.inputType);
  const { prefix } = input;
  const sha256 = sha256Lines(texts);
  const out = await res.embed(encoder, ds.name, `${ds.name} ${system.id} ${side}`, texts, sha256);
  const text = side === 'queries' ? QUERY_TEMPLATE : PASSAGE_TEMPLATE;
  const template = input.inputType ? `${text}, sent with input_type "${input.inputType}"` : `${JSON.stringify(prefix)} + ${text}`;
  const info = encoder.info;
  return {
    matrix: out.matrix,
    encoder: info,
    record: {
      prefix,
      template,
      count: texts.length,
      sha256,
      example: texts[0] ?? '',
      encoded: out.encoded,
      fromCache: out.fromCache,
      reused: out.reused,
      seconds: out.seconds,
      ...(info.kind === 'remote'
        ? { request: { endpoints: info.endpoints, body: info.request, endpointModel: info.endpointModel, fingerprint: info.fingerprint } }
        : {}),
    },
  };
}

/** Identifies the passage vectors an index holds (the OpenSearch backend reuses an index only when it matches). */
function vectorsFingerprint(passagesSha256: string, info: EncoderInfo): string {
  const h = createHash('sha256').update(passagesSha256);
  if (info.kind === 'remote') h.update(configHash(keyPartsOf(info)));
  else h.update(info.weightsSha256).update(JSON.stringify([info.dtype, info.pooling, info.normalize, info.maxLength]));
  return h.digest('hex').slice(0, 16);
}

async function retrieveDense(system: DenseSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const sides = sideInputs(system);
  const passages = await encodeSide(res, system, ds, 'passages', ds.docs.map((d) => passageText(d, sides.passage.prefix)), sides.passage);
  const queries = await encodeSide(res, system, ds, 'queries', ds.queries.map((q) => queryText(q, sides.query.prefix)), sides.query);
  timings.encodePassages = passages.record.seconds;
  timings.encodeQueries = queries.record.seconds;
  const key: IndexKey = {
    dataset: ds.name,
    model: system.model.id,
    system: system.id,
    docSet: docSetOf(ds),
    fingerprint: vectorsFingerprint(passages.record.sha256, passages.encoder),
  };
  const backend = await res.backendFor(system.engine);
  await timed(timings, 'index', () => backend.index({ key, docs: ds.docs, vectors: { matrix: passages.matrix, similarity: system.model.similarity } }));
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, vectors: queries.matrix, k: depth }));
  return {
    hits,
    inputs: { queries: queries.record, passages: passages.record },
    // The encoder that embedded the passages (an input-type endpoint's query side has its own request and fingerprint: inputs.queries.request).
    encoder: passages.encoder,
    engine: { engine: system.engine, ...backend.describe() },
    timings,
  };
}

async function retrieveLexical(system: LexicalSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const docSet = docSetOf(ds);
  const key: IndexKey = { dataset: ds.name, model: 'none', system: system.id, docSet, fingerprint: docSet };
  const backend = await res.backendFor(system.engine);
  const advice = system.engine === 'bm25' ? bm25SizeAdvice(ds.docs.length) : null;
  if (advice) res.warn(advice);
  await timed(timings, 'index', () => backend.index({ key, docs: ds.docs }));
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, k: depth }));
  return { hits, inputs: null, encoder: null, engine: { engine: system.engine, ...backend.describe() }, timings };
}

/** Index the dataset as the system says and return each query's top `depth` hits. */
export function retrieve(system: SystemSpec, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  return system.kind === 'dense' ? retrieveDense(system, ds, depth, res) : retrieveLexical(system, ds, depth, res);
}

/**
 * The retrieval seam: a system and a loaded dataset in, a ranked run and its provenance out. Every engine,
 * encoder and fusion of systems (retrieve-hybrid.ts) is reached through `retrieve`; the bench loop knows none of them.
 */
import { createHash } from 'node:crypto';
import type { IndexInput, IndexKey, RankedRun, SearchBackend } from '../backends/backend.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import type { EncoderInfo } from '../embed/encoder.js';
import type { RequestBody } from '../embed/remote-client.js';
import { passageText, PASSAGE_TEMPLATE, queryText, QUERY_TEMPLATE } from '../models/input-text.js';
import type { DenseSystem, LexicalSystem, SideInput, SystemSpec } from '../systems/system.js';
import { sideInputs } from '../systems/system.js';
import { timed } from '../timings.js';
import { engineOf } from '../engines/registry.js';
import { sha256Lines, type RunResources } from './resources.js';
// retrieve-hybrid calls retrieve on the components: a cycle of functions only, resolved before either is called.
import { retrieveHybrid } from './retrieve-hybrid.js';
import { retrieveServerSide } from './retrieve-server.js';

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
  /** Hybrids fused in process: each component's run, in component order (the --fusion-weights sweep re-fuses them). */
  components?: RankedRun[];
}

/** Which docs an index holds (their ids, in order). */
const docSetOf = (ds: LoadedDataset): string => ds.corpus.ids.sha256().slice(0, 16);

/** What one side of the embedding run did, in the words of results.json. */
type SideOutcome = Omit<InputRecord, 'prefix' | 'template' | 'request'>;

function inputRecord(side: 'queries' | 'passages', input: SideInput, info: EncoderInfo, out: SideOutcome): InputRecord {
  const text = side === 'queries' ? QUERY_TEMPLATE : PASSAGE_TEMPLATE;
  const template = input.inputType ? `${text}, sent with input_type "${input.inputType}"` : `${JSON.stringify(input.prefix)} + ${text}`;
  const { count, sha256, example, encoded, fromCache, reused, seconds } = out;
  return {
    prefix: input.prefix,
    template,
    count,
    sha256,
    example,
    encoded,
    fromCache,
    reused,
    seconds,
    ...(info.kind === 'remote'
      ? { request: { endpoints: info.endpoints, body: info.request, endpointModel: info.endpointModel, fingerprint: info.fingerprint } }
      : {}),
  };
}

/** The queries' vectors, in memory (queries are few). */
async function encodeQueries(res: RunResources, system: DenseSystem, ds: LoadedDataset, input: SideInput) {
  const encoder = await res.encoderFor(system, input.inputType);
  const texts = ds.queries.map((q) => queryText(q, input.prefix));
  const sha256 = sha256Lines(texts);
  const out = await res.embed(encoder, ds.name, `${ds.name} ${system.id} queries`, texts, sha256);
  const record = inputRecord('queries', input, encoder.info, { ...out, count: texts.length, sha256, example: texts[0] ?? '' });
  return { matrix: out.matrix, encoder: encoder.info, record };
}

/** The passages' vectors, embedded from the corpus stream into the cache and left there (read back block by block). */
async function encodePassages(res: RunResources, system: DenseSystem, ds: LoadedDataset, input: SideInput) {
  const encoder = await res.encoderFor(system, input.inputType);
  const texts = async function* () {
    for await (const doc of ds.corpus.stream()) yield passageText(doc, input.prefix);
  };
  const textsId = `passages ${docSetOf(ds)} ${JSON.stringify(input.prefix)}`;
  const out = await res.embedCorpus(encoder, ds.name, `${ds.name} ${system.id} passages`, texts, ds.corpus.size, textsId);
  const record = inputRecord('passages', input, encoder.info, { ...out, count: ds.corpus.size });
  return { vectors: out.vectors, encoder: encoder.info, record };
}

/** Identifies the passage vectors an index holds (the OpenSearch backend reuses an index only when it matches). */
function vectorsFingerprint(passagesSha256: string, info: EncoderInfo): string {
  const h = createHash('sha256').update(passagesSha256);
  if (info.kind === 'remote') h.update(configHash(keyPartsOf(info)));
  else h.update(info.weightsSha256).update(JSON.stringify([info.dtype, info.pooling, info.normalize, info.maxLength]));
  return h.digest('hex').slice(0, 16);
}

/** A dense system's passage and query vectors (through the cache and the run's memo), and the key of their index. */
export async function encodeDense(system: DenseSystem, ds: LoadedDataset, res: RunResources) {
  const sides = sideInputs(system);
  const passages = await encodePassages(res, system, ds, sides.passage);
  const queries = await encodeQueries(res, system, ds, sides.query);
  const key: IndexKey = {
    dataset: ds.name,
    model: system.model.id,
    system: system.id,
    docSet: docSetOf(ds),
    fingerprint: vectorsFingerprint(passages.record.sha256, passages.encoder),
  };
  return { passages, queries, key };
}

/** Index through the backend (timed as `index`, plus the engine's own timings); returns what it recorded for results.json. */
export async function indexInto(backend: SearchBackend, input: IndexInput, timings: Record<string, number>): Promise<Record<string, unknown>> {
  const outcome = await timed(timings, 'index', () => backend.index(input));
  if (!outcome) return {};
  Object.assign(timings, outcome.timings);
  return outcome.record;
}

async function retrieveDense(system: DenseSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const { passages, queries, key } = await encodeDense(system, ds, res);
  timings.encodePassages = passages.record.seconds;
  timings.encodeQueries = queries.record.seconds;
  const backend = await res.backendFor(system.engine);
  const indexed = await indexInto(backend, { key, corpus: ds.corpus, vectors: { passages: passages.vectors, similarity: system.model.similarity } }, timings);
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, vectors: queries.matrix, k: depth }));
  return {
    hits,
    inputs: { queries: queries.record, passages: passages.record },
    // The encoder that embedded the passages (an input-type endpoint's query side has its own request and fingerprint: inputs.queries.request).
    encoder: passages.encoder,
    engine: { engine: system.engine, ...backend.describe(), ...indexed },
    timings,
  };
}

async function retrieveLexical(system: LexicalSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const docSet = docSetOf(ds);
  const key: IndexKey = { dataset: ds.name, model: 'none', system: system.id, docSet, fingerprint: docSet };
  const backend = await res.backendFor(system.engine);
  const advice = engineOf(system.engine).sizeAdvice?.(ds.corpus.size);
  if (advice) res.warn(advice);
  const indexed = await indexInto(backend, { key, corpus: ds.corpus }, timings);
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, k: depth }));
  return { hits, inputs: null, encoder: null, engine: { engine: system.engine, ...backend.describe(), ...indexed }, timings };
}

/** Index the dataset as the system says and return each query's top `depth` hits. */
export function retrieve(system: SystemSpec, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  if (system.kind === 'hybrid') return retrieveHybrid(system, ds, depth, res);
  if (system.kind === 'dense' && engineOf(system.engine).embeds === 'server') return retrieveServerSide(system, ds, depth, res);
  return system.kind === 'dense' ? retrieveDense(system, ds, depth, res) : retrieveLexical(system, ds, depth, res);
}

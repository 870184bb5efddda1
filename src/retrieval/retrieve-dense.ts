/**
 * Dense systems the harness embeds: passages and queries through the encoder and the embedding cache, the vectors
 * indexed and searched by the system's engine.
 */
import { createHash } from 'node:crypto';
import type { IndexKey } from '../backends/index-key.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { configHash, keyPartsOf } from '../embed/cache-key.js';
import type { EncoderInfo } from '../embed/encoder.js';
import { passageText, queryText } from '../models/input-text.js';
import { sideInputs, type DenseSystem, type SideInput } from '../systems/system.js';
import { timed } from '../timings.js';
import { sha256Lines, type RunResources } from './resources.js';
import { docSetOf, indexInto, inputRecord, type InputRecord, type Retrieval, type SideOutcome } from './retrieval.js';

/** A side the harness embedded: its prefix, or the input_type it sent, and for remote encoders the requests' shape. */
function clientRecord(side: 'queries' | 'passages', input: SideInput, info: EncoderInfo, out: SideOutcome): InputRecord {
  const how = (text: string) => (input.inputType ? `${text}, sent with input_type "${input.inputType}"` : `${JSON.stringify(input.prefix)} + ${text}`);
  const request = info.kind === 'remote' ? { endpoints: info.endpoints, body: info.request, endpointModel: info.endpointModel, fingerprint: info.fingerprint } : undefined;
  return inputRecord(side, how, input.prefix, out, request);
}

/** The queries' vectors, in memory (queries are few). */
async function encodeQueries(res: RunResources, system: DenseSystem, ds: LoadedDataset, input: SideInput) {
  const encoder = await res.encoderFor(system, input.inputType);
  const texts = ds.queries.map((q) => queryText(q, input.prefix));
  const sha256 = sha256Lines(texts);
  const out = await res.embed(encoder, ds.name, `${ds.name} ${system.id} queries`, texts, sha256);
  const record = clientRecord('queries', input, encoder.info, { ...out, count: texts.length, sha256, example: texts[0] ?? '' });
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
  const record = clientRecord('passages', input, encoder.info, { ...out, count: ds.corpus.size });
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

export async function retrieveDense(system: DenseSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
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

/**
 * What retrieving one system gives the bench loop (a ranked run and its provenance), and what every way of
 * retrieving shares: which docs an index holds, how one side's inputs are recorded, indexing through a backend.
 */
import type { IndexInput, SearchBackend } from '../backends/backend.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import type { EncoderInfo } from '../embed/encoder.js';
import type { RequestBody } from '../embed/remote-client.js';
import { PASSAGE_TEMPLATE, QUERY_TEMPLATE } from '../models/input-text.js';
import type { RankedRun } from '../ranking.js';
import { timed } from '../timings.js';

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
export const docSetOf = (ds: LoadedDataset): string => ds.corpus.ids.sha256().slice(0, 16);

/** What one side of the embedding run did, in the words of results.json. */
export type SideOutcome = Omit<InputRecord, 'prefix' | 'template' | 'request'>;

/**
 * One side's record. `how` completes its text template (`"query: " + text`, `text, sent with input_type "query"`,
 * `text, embedded by OpenSearch with ...`): the harness's and the engine's embedding differ only there.
 */
export function inputRecord(side: 'queries' | 'passages', how: (text: string) => string, prefix: string, out: SideOutcome, request?: RequestRecord): InputRecord {
  const { count, sha256, example, encoded, fromCache, reused, seconds } = out;
  const template = how(side === 'queries' ? QUERY_TEMPLATE : PASSAGE_TEMPLATE);
  return { prefix, template, count, sha256, example, encoded, fromCache, reused, seconds, ...(request ? { request } : {}) };
}

/** Index through the backend (timed as `index`, plus the engine's own timings); returns what it recorded for results.json. */
export async function indexInto(backend: SearchBackend, input: IndexInput, timings: Record<string, number>): Promise<Record<string, unknown>> {
  const outcome = await timed(timings, 'index', () => backend.index(input));
  if (!outcome) return {};
  Object.assign(timings, outcome.timings);
  return outcome.record;
}

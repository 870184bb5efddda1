/**
 * What a condition's numbers depend on besides the code, as recorded in a regression matrix and compared on
 * every run: the dataset files' content and the corpus as loaded (per dataset entry), the model weights and the
 * encoder settings that decide a vector (per dense system), and the exact strings sent to the model. All of it is
 * read from results.json, so a recorded value and tonight's come from the same place.
 */
import { keyPartsOf } from '../embed/cache-key.js';
import { weightsFileName } from '../embed/model-source.js';
import { DTYPE_NAMES, type Dtype } from '../models/spec.js';
import type { DatasetResults, SystemResults } from '../results/schema.js';

/** Flat name -> value record (one YAML mapping in the matrix). */
export type Fingerprint = Record<string, string | number | boolean | null>;

export interface DatasetInputs {
  /** Content digests of corpus.jsonl, queries.jsonl, qrels/<split>.tsv (src/datasets/content-digest.ts): identity; null in a matrix recorded before them. */
  content: Fingerprint | null;
  /** Byte sha256 of the same files: information (the same records in another layout differ here). */
  files: Fingerprint | null;
  /** The corpus and queries as loaded (after the slice): counts and word-length statistics. */
  stats: Fingerprint;
  /** Where the matrix records them (`file:line: path`); absent for tonight's. */
  where?: string;
}

export interface SystemInputs {
  /** Dense systems: the weights' sha256 and the settings the embedding cache keys on, plus the dimension. */
  encoder: Fingerprint | null;
  /** Dense systems: sha256 over every query / passage string sent to the model. */
  strings: Fingerprint | null;
}

export function datasetInputs(d: DatasetResults): DatasetInputs {
  return {
    content: Object.fromEntries(Object.entries(d.files).map(([name, f]) => [name, f.contentDigest ?? null])),
    files: Object.fromEntries(Object.entries(d.files).map(([name, f]) => [name, f.sha256])),
    stats: {
      docs: d.docs,
      queries: d.queries,
      queryWordsAvg: d.stats.queries.avg,
      queryWordsMedian: d.stats.queries.median,
      passageWordsAvg: d.stats.passages?.avg ?? null,
      passageWordsMedian: d.stats.passages?.median ?? null,
      questionShare: d.stats.questionShare,
    },
  };
}

export function systemInputs(s: SystemResults): SystemInputs {
  return {
    encoder: s.encoder ? { ...keyPartsOf(s.encoder), dimension: s.encoder.dimension } : null,
    strings: s.inputs ? { queries: s.inputs.queries.sha256, passages: s.inputs.passages.sha256 } : null,
  };
}

/** One recorded value that differs tonight, in words: `files.corpus.jsonl: 3f2a9c01d4e5… -> 99b01c2d3e4f…`. */
export type InputChange = string;

const show = (v: unknown): string => {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string' && /^[0-9a-f]{40,}$/.test(v)) return `${v.slice(0, 12)}…`;
  return JSON.stringify(v);
};

/** Differences between a recorded fingerprint and tonight's; nothing recorded means nothing to compare. */
export function diffFingerprint(group: string, recorded: Fingerprint | null | undefined, now: Fingerprint | null): InputChange[] {
  if (recorded === undefined) return [];
  if (recorded === null || now === null) return recorded === now ? [] : [`${group}: ${recorded === null ? 'none recorded' : 'recorded'}, ${now === null ? 'none now' : 'present now'}`];
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])];
  return keys.filter((k) => recorded[k] !== now[k]).map((k) => `${group}.${k}: ${show(recorded[k])} -> ${show(now[k])}`);
}

/**
 * Changes that make a condition CHANGED-INPUT: dataset content, corpus statistics, model weights and encoder
 * fingerprint. Neither the files' bytes (the same records in another order are the same input; see fileChanges)
 * nor the strings sent are among them: the strings follow from the data and the system through the code, so when
 * the data and model are unchanged a difference there is the code's doing, judged by the runs (see stringChanges).
 */
export function inputChanges(
  recorded: { dataset: DatasetInputs | null; system: SystemInputs | null },
  now: { dataset: DatasetInputs; system: SystemInputs },
): InputChange[] {
  return [
    ...diffFingerprint('content', recorded.dataset?.content, now.dataset.content),
    ...diffFingerprint('stats', recorded.dataset?.stats, now.dataset.stats),
    ...(recorded.system ? diffFingerprint('encoder', recorded.system.encoder, now.system.encoder).map((c) => withWeightsFile(c, now.system.encoder)) : []),
  ];
}

const isDtype = (x: unknown): x is Dtype => (DTYPE_NAMES as readonly unknown[]).includes(x);

/** A weights change in words: which file of which model is not the one the matrix expects, and how to get that one. */
function withWeightsFile(change: InputChange, encoder: Fingerprint | null): InputChange {
  if (!change.startsWith('encoder.weightsSha256:') || !encoder) return change;
  const file = weightsFileName(isDtype(encoder.dtype) ? encoder.dtype : 'fp32');
  return `${change} (tonight's ${String(encoder.model)} ${file} is not the file the matrix expects: provision the pinned weights, scripts/provision-models.sh)`;
}

/** Differences in the files' bytes (line order, line endings, key order) when nothing was recorded as content change. */
export function fileChanges(recorded: DatasetInputs | null, now: DatasetInputs): InputChange[] {
  return recorded?.files ? diffFingerprint('files', recorded.files, now.files) : [];
}

/** Differences in the strings sent to the model (prefixes, text building). */
export function stringChanges(recorded: SystemInputs | null, now: SystemInputs): InputChange[] {
  return recorded ? diffFingerprint('strings', recorded.strings, now.strings) : [];
}

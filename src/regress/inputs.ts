/**
 * What a condition's numbers depend on besides the code, as recorded in a regression matrix and compared on
 * every run: the dataset files and the corpus as loaded (per dataset entry), the model weights and the encoder
 * settings that decide a vector (per dense system), and the exact strings sent to the model. All of it is
 * read from results.json, so a recorded value and tonight's come from the same place.
 */
import { keyPartsOf } from '../embed/cache-key.js';
import type { DatasetResults, SystemResults } from '../results/schema.js';

/** Flat name -> value record (one YAML mapping in the matrix). */
export type Fingerprint = Record<string, string | number | boolean | null>;

export interface DatasetInputs {
  /** sha256 of corpus.jsonl, queries.jsonl, qrels/<split>.tsv. */
  files: Fingerprint;
  /** The corpus and queries as loaded (after the slice): counts and word-length statistics. */
  stats: Fingerprint;
}

export interface SystemInputs {
  /** Dense systems: the weights' sha256 and the settings the embedding cache keys on, plus the dimension. */
  encoder: Fingerprint | null;
  /** Dense systems: sha256 over every query / passage string sent to the model. */
  strings: Fingerprint | null;
}

export function datasetInputs(d: DatasetResults): DatasetInputs {
  return {
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
 * Changes that make a condition CHANGED-INPUT: dataset files, corpus statistics, model weights and encoder
 * fingerprint. The strings sent are not among them: they follow from the data and the system through the code,
 * so when the data and model are unchanged a difference there is the code's doing, judged by the metrics
 * (see stringChanges).
 */
export function inputChanges(
  recorded: { dataset: DatasetInputs | null; system: SystemInputs | null },
  now: { dataset: DatasetInputs; system: SystemInputs },
): InputChange[] {
  return [
    ...diffFingerprint('files', recorded.dataset?.files, now.dataset.files),
    ...diffFingerprint('stats', recorded.dataset?.stats, now.dataset.stats),
    ...(recorded.system ? diffFingerprint('encoder', recorded.system.encoder, now.system.encoder) : []),
  ];
}

/** Differences in the strings sent to the model (prefixes, text building). */
export function stringChanges(recorded: SystemInputs | null, now: SystemInputs): InputChange[] {
  return recorded ? diffFingerprint('strings', recorded.strings, now.strings) : [];
}

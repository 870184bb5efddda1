/**
 * What the deployment audit finds, as results.json records it (`datasets[].systems[].audit`): how close the
 * vectors a deployment produced are to the reference encoder's, and, when they are not, which usual mistake
 * reproduces them. docs/AUDIT.md explains every field.
 */
import type { Quantiles } from './vector-stats.js';

/** How one side of a deployment could have embedded its texts: the prefix it prepended and the encoder settings. */
export interface Setting {
  prefix: string;
  /** Tokens per text, special tokens included. */
  maxLength: number;
  /** Mean pooling over padding to this many tokens (null: over the real tokens, as the model expects). */
  padPooling: number | null;
}

/** One setting tried against the server's vectors of one side. */
export interface SettingScore {
  setting: Setting;
  minCosine: number;
  meanCosine: number;
}

/** Which setting reproduces one side's server vectors. */
export interface SideFinding {
  /** Texts of the diagnosis subset the settings were tried on. */
  texts: number;
  /** exact: every cosine >= the threshold; closest: a clear best below it; none: no clear best. */
  match: 'exact' | 'closest' | 'none';
  /** The matching (or clearly closest) setting; null when none. */
  setting: Setting | null;
  /** Every setting tried, best first. */
  tried: SettingScore[];
}

export type CauseId =
  | 'prefix-missing'
  | 'query-prefix-missing'
  | 'passage-prefix-missing'
  | 'prefixes-swapped'
  | 'query-prefix-both'
  | 'passage-prefix-both'
  | 'other-prefixes'
  | 'padding-pooling'
  | 'truncation'
  | 'not-normalised';

export interface Cause {
  id: CauseId;
  /** In words, with the values found, e.g. `mean pooling over padding (512 tokens)`. */
  text: string;
}

export interface Diagnosis {
  /** exact: every side reproduced at the threshold; closest: at least one side only by a clear best; none: a side unexplained. */
  match: 'exact' | 'closest' | 'none';
  /** The mistakes found, e.g. [padding-pooling, not-normalised]; with match none, what the explained side and the norms show. */
  causes: Cause[];
  /** The causes in one line, or what could not be explained. */
  summary: string;
  sides: { passages: SideFinding; queries: SideFinding };
}

/** The server-embedded run against the same system embedded by the client. */
export interface RunAgreement {
  /** Id of the client-embedded reference system (not a column of the report). */
  reference: string;
  metric: string;
  server: number;
  client: number;
  /** server - client. */
  delta: number;
  /** Mean top-k overlap of the two runs; null when no query had hits. */
  overlap: number | null;
}

export interface DeploymentAudit {
  /** Cosines at or above this count as the same vector (src/audit/diagnose.ts MATCH_COSINE). */
  threshold: number;
  /** The local encoder the server is compared with, and the prefixes the system says each side gets. */
  reference: { model: string; dtype: string; prefixes: { query: string; passage: string } };
  /** Passages sampled (seeded) and queries compared. */
  sample: { passages: number; queries: number; seed: number };
  /** Server vs reference, per sampled text. */
  cosine: { passages: Quantiles; queries: Quantiles };
  /** L2 norms of the server's vectors. */
  norm: { passages: Quantiles; queries: Quantiles };
  runs?: RunAgreement;
  /** match: every sampled vector within the threshold and normalised as the model says; else mismatch, with a diagnosis. */
  verdict: 'match' | 'mismatch';
  diagnosis?: Diagnosis;
}

/** The verdict and, for a mismatch, what the diagnosis found. */
export function auditVerdict(a: DeploymentAudit): string {
  if (a.verdict === 'match') return `MATCH: every sampled vector within cosine ${a.threshold} of the reference, norms as the model says`;
  const d = a.diagnosis;
  if (!d) return 'MISMATCH';
  const how = d.match === 'exact' ? 'reproduced exactly by' : d.match === 'closest' ? 'closest explanation' : 'no tested mistake reproduces the vectors';
  return `MISMATCH, ${how}: ${d.summary}`;
}

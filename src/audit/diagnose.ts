/**
 * Which setting reproduces one side's server vectors: the configured setting's deviations (src/audit/hypotheses.ts)
 * are encoded with the reference model and compared with the server's vectors by cosine (scale-free, so
 * normalisation is judged apart, by the norms).
 */
import type { LocalEncoder } from '../embed/encoder.js';
import type { Matrix } from '../types.js';
import type { Setting, SettingScore, SideFinding } from './audit-result.js';
import { sameSetting } from './hypotheses.js';
import { rowCosines } from './vector-stats.js';

/** Cosines at or above this are the same vector (the same fp32 weights through another process measure >= 0.99999). */
export const MATCH_COSINE = 0.9999;

/**
 * Below the threshold, the best setting still counts as the cause when its vectors are at least this close
 * (cosine, every text) and every setting with other vectors is at least CLEAR_RATIO times farther on average
 * (1 - mean cosine). int8 weights of the right setting sit near 0.997; a wrong prefix of e5 near 0.93-0.99.
 */
export const CLOSEST_MIN_COSINE = 0.99;
export const CLEAR_RATIO = 2;

/** Encode `texts` as a setting says (prefix prepended, encoder run with its truncation and pooling). */
export function encodeAs(reference: LocalEncoder, setting: Setting, texts: readonly string[]): Promise<Matrix> {
  const variant = reference.variant({ maxLength: setting.maxLength, padPooling: setting.padPooling });
  return variant.encode(texts.map((t) => setting.prefix + t));
}

export interface SideInput {
  reference: LocalEncoder;
  /** Raw texts (no prefix) of the diagnosis subset. */
  texts: readonly string[];
  /** The server's vectors of those texts, rows in order. */
  server: Matrix;
  /** The configured setting and its reference vectors of the same texts (already encoded for the audit). */
  configured: { setting: Setting; vectors: Matrix };
  stages: Setting[][];
}

/**
 * Try the settings stage by stage, cheapest first, and stop at the first exact match (the simplest explanation);
 * without one, name the clearly closest setting, if any.
 */
export async function diagnoseSide(input: SideInput): Promise<SideFinding> {
  const { reference, texts, server, configured } = input;
  const tried: { score: SettingScore; vectors: Matrix }[] = [];
  const attempt = (setting: Setting, vectors: Matrix) => {
    const cos = rowCosines(server, vectors);
    tried.push({ score: { setting, minCosine: Math.min(...cos), meanCosine: cos.reduce((a, b) => a + b, 0) / cos.length }, vectors });
  };
  const matched = () => tried.some((t) => t.score.minCosine >= MATCH_COSINE);
  attempt(configured.setting, configured.vectors);
  // Two different settings never both reproduce the server (their vectors differ), so the first exact match ends the search.
  for (const setting of input.stages.flat()) {
    if (matched()) break;
    attempt(setting, await encodeAs(reference, setting, texts));
  }
  tried.sort((a, b) => b.score.meanCosine - a.score.meanCosine);
  const [best] = tried;
  const scores = tried.map((t) => t.score);
  if (best.score.minCosine >= MATCH_COSINE) return { texts: texts.length, match: 'exact', setting: best.score.setting, tried: scores };
  // Settings whose vectors equal the best's (e.g. a truncation length no text reaches) are not rivals.
  const rivals = tried.slice(1).filter((t) => !sameSetting(t.score.setting, best.score.setting) && Math.min(...rowCosines(t.vectors, best.vectors)) < MATCH_COSINE);
  const distance = (s: SettingScore) => 1 - s.meanCosine;
  const clear =
    best.score.minCosine >= CLOSEST_MIN_COSINE && rivals.every((r) => distance(r.score) >= CLEAR_RATIO * distance(best.score));
  return { texts: texts.length, match: clear ? 'closest' : 'none', setting: clear ? best.score.setting : null, tried: scores };
}

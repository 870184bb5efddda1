/**
 * `--arms`: a comma-separated list of systems. Short names apply to --model: symmetric, asymmetric,
 * symmetric-query, symmetric-passage (or the policy names none, model, query-both, passage-both); `bm25` is the
 * lexical baseline; `MODEL:POLICY` names another model, e.g. sentence-transformers/all-MiniLM-L6-v2:symmetric.
 */
import { UserError } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import type { SystemDraft } from './build.js';
import { POLICY_NAMES, type EncoderSpec } from './system.js';

export interface ArmContext {
  /** The model short names apply to (--model, with its settings). */
  model: ModelSpec;
  /** The encoder of every dense arm: local with --dtype, or the --encoder-url endpoints. */
  encoder: EncoderSpec;
  /** Where the systems run: embedded engines or OpenSearch. */
  backend: 'embedded' | 'opensearch';
  /** A model named in MODEL:POLICY (the registry, or --model itself with its flag settings). */
  resolveModel: (id: string) => ModelSpec;
}

export const POLICY_WORDS = Object.keys(POLICY_NAMES);

export function parseArms(s: string, ctx: ArmContext): SystemDraft[] {
  const items = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (items.length === 0) throw new UserError(`--arms is empty. Use e.g. symmetric,asymmetric,bm25 or MODEL:POLICY items`);
  return items.map((item) => parseArm(item, ctx));
}

function parseArm(item: string, ctx: ArmContext): SystemDraft {
  if (item === 'bm25') return { kind: 'lexical', engine: ctx.backend === 'opensearch' ? 'opensearch-bm25' : 'bm25' };
  const colon = item.lastIndexOf(':');
  const modelId = colon >= 0 ? item.slice(0, colon).trim() : null;
  const word = (colon >= 0 ? item.slice(colon + 1) : item).trim();
  const policy = POLICY_NAMES[word];
  if (!policy || modelId === '') {
    throw new UserError(
      `Unknown arm "${item}". An arm is bm25, a prefix policy applied to --model (${POLICY_WORDS.join(', ')}), ` +
        'or MODEL:POLICY, e.g. sentence-transformers/all-MiniLM-L6-v2:symmetric',
    );
  }
  return {
    kind: 'dense',
    model: modelId === null ? ctx.model : ctx.resolveModel(modelId),
    prefix: policy,
    encoder: ctx.encoder,
    engine: ctx.backend === 'opensearch' ? 'opensearch-knn' : 'exact',
  };
}

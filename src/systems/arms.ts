/**
 * `--arms`: a comma-separated list of systems. Short names apply to --model: symmetric, asymmetric,
 * symmetric-query, symmetric-passage (or the policy names none, model, query-both, passage-both); `bm25` is the
 * lexical baseline; `MODEL:POLICY` names another model, e.g. sentence-transformers/all-MiniLM-L6-v2:symmetric;
 * `hybrid(A+B[,OPTION...])` fuses two or more of those (docs/FUSION.md).
 */
import { COMBINATIONS, hybridDraft, NORMALIZATIONS } from './hybrid-draft.js';
import { UserError } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import type { ComponentDraft, SystemDraft } from './build.js';
import { backendChoice } from '../engines/registry.js';
import { POLICY_NAMES, type EncoderSpec } from './system.js';

export interface ArmContext {
  /** The model short names apply to (--model, with its settings). */
  model: ModelSpec;
  /** The encoder of every dense arm: local with --dtype, or the --encoder-url endpoints. */
  encoder: EncoderSpec;
  /** Where the systems run: a `--backend` value (src/engines/registry.ts, BACKENDS). */
  backend: string;
  /** A model named in MODEL:POLICY (the registry, or --model itself with its flag settings). */
  resolveModel: (id: string) => ModelSpec;
}

export const POLICY_WORDS = Object.keys(POLICY_NAMES);

/** Split at commas outside parentheses (a hybrid's options are comma-separated too). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

export function parseArms(s: string, ctx: ArmContext): SystemDraft[] {
  const items = splitTopLevel(s);
  if (items.length === 0) throw new UserError(`--arms is empty. Use e.g. symmetric,asymmetric,bm25 or MODEL:POLICY items`);
  return items.map((item) => (/^hybrid\s*\(/.test(item) ? parseHybrid(item, ctx) : parseArm(item, ctx)));
}

const HYBRID_FORM =
  'hybrid(A+B[,OPTION...]) with options rrf (default) or linear, k=60, norm=min-max|l2, mean=arithmetic|harmonic|geometric, weights=0.3/0.7, depth=100';

/** A number list written with slashes: `0.3/0.7`. */
function numbers(item: string, key: string, value: string): number[] {
  const xs = value.split('/').map((x) => x.trim());
  if (xs.some((x) => x === '' || !Number.isFinite(Number(x)))) throw new UserError(`${item}: ${key}=${value} is not a list of numbers like ${key === 'weights' ? '0.3/0.7' : '100'}`);
  return xs.map(Number);
}

function oneOf<T extends string>(item: string, key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UserError(`${item}: ${key} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** `hybrid(bm25+intfloat/e5-small-v2:asymmetric,linear,weights=0.3/0.7)`; the engine follows --backend. */
function parseHybrid(item: string, ctx: ArmContext): SystemDraft {
  const inner = /^hybrid\s*\((.*)\)$/s.exec(item)?.[1];
  if (inner === undefined) throw new UserError(`Unknown arm "${item}": write ${HYBRID_FORM}`);
  const [first = '', ...options] = inner.split(',').map((x) => x.trim());
  const names = first.split('+').map((x) => x.trim());
  if (names.some((x) => x === '')) throw new UserError(`${item}: components are arms joined by +, e.g. hybrid(bm25+asymmetric)`);
  const components = names.map((name) => {
    if (/^hybrid\s*\(/.test(name)) throw new UserError(`${item}: a hybrid's components are bm25 or dense arms, not hybrids`);
    try {
      return parseArm(name, ctx);
    } catch (err) {
      throw err instanceof UserError ? new UserError(`${item}: unknown component "${name}": a component is bm25, a prefix policy (${POLICY_WORDS.join(', ')}) or MODEL:POLICY`) : err;
    }
  });
  const req: Parameters<typeof hybridDraft>[0] = { components, method: 'rrf', engine: backendChoice(ctx.backend).hybrid };
  let method: 'rrf' | 'linear' | undefined;
  for (const opt of options) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq).trim();
    const value = eq < 0 ? '' : opt.slice(eq + 1).trim();
    if (eq < 0 && (key === 'rrf' || key === 'linear')) method = key;
    else if (key === 'k') req.rankConstant = numbers(item, key, value)[0];
    else if (key === 'norm') req.normalization = oneOf(item, key, value, NORMALIZATIONS);
    else if (key === 'mean') req.combination = oneOf(item, key, value, COMBINATIONS);
    else if (key === 'weights') req.weights = numbers(item, key, value);
    else if (key === 'depth') req.depths = numbers(item, key, value);
    else throw new UserError(`${item}: unknown option "${opt}"; write ${HYBRID_FORM}`);
  }
  // Weights, a normalization or a mean say linear fusion without the word.
  req.method = method ?? (req.weights || req.normalization || req.combination ? 'linear' : 'rrf');
  try {
    return hybridDraft(req);
  } catch (err) {
    throw err instanceof UserError ? new UserError(`${item}: ${err.message}`) : err;
  }
}

function parseArm(item: string, ctx: ArmContext): ComponentDraft {
  if (item === 'bm25') return { kind: 'lexical', engine: backendChoice(ctx.backend).lexical };
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
    engine: backendChoice(ctx.backend).dense,
  };
}

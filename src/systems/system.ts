/**
 * A system is what one column of the report measures: a model with a prefix policy, an encoder and a search
 * engine (or a lexical engine alone). Systems are plain data: the CLI, the systems YAML and results.json all
 * describe them the same way, and the retrieval layer (src/retrieval/) turns one into a run.
 */
import type { FusionSpec } from '../fusion/fuse.js';
import type { Dtype, ModelSpec } from '../models/spec.js';
import type { InputType, Prefixes } from '../models/input-text.js';
import type { RemoteEncoderSpec } from '../embed/remote-encoder.js';
import type { DenseEngine, HybridEngine, LexicalEngine } from '../engines/registry.js';

/** Which prefix each side gets: the experiment's independent variable. */
export type PrefixPolicy = NamedPolicy | { query: string; passage: string };

/**
 * none = symmetric (no prefix on either side, how OpenSearch called E5 before it supported prefixes);
 * model = asymmetric (the model's own query/passage prefixes); query-both / passage-both = one of the
 * model's prefixes on both sides.
 */
export type NamedPolicy = 'none' | 'model' | 'query-both' | 'passage-both';

/** Engine ids; each engine's facts are its definition in src/engines/. */
export type { DenseEngine, LexicalEngine, HybridEngine } from '../engines/registry.js';

/**
 * Where vectors come from; either way every vector goes through the embedding cache. With the opensearch-ml
 * engine the encoder is what the cluster calls: local = a `beir-bench serve` the harness starts on loopback,
 * remote = those endpoints, cluster = a model already deployed in the cluster.
 */
export type EncoderSpec = LocalEncoderSpec | RemoteEncoderSpec | ClusterModelSpec;

/** A model deployed in the OpenSearch cluster (`--opensearch-model-id`); only the opensearch-ml engine can use it. */
export interface ClusterModelSpec {
  kind: 'opensearch-model';
  /** The ml-commons model id. */
  modelId: string;
}

/** ONNX in process (@huggingface/transformers). */
export interface LocalEncoderSpec {
  kind: 'local';
  dtype: Dtype;
}


export interface DenseSystem {
  kind: 'dense';
  /** Stable machine name, unique in a run: file names, comparisons and results.json refer to it. */
  id: string;
  /** What tables and charts print. */
  label: string;
  model: ModelSpec;
  prefix: PrefixPolicy;
  encoder: EncoderSpec;
  engine: DenseEngine;
}

export interface LexicalSystem {
  kind: 'lexical';
  id: string;
  label: string;
  engine: LexicalEngine;
}

/** A system a hybrid is made of. */
export type ComponentSystem = DenseSystem | LexicalSystem;

/** Two or more systems' runs fused into one (src/fusion/, docs/FUSION.md). */
export interface HybridSystem {
  kind: 'hybrid';
  id: string;
  label: string;
  components: ComponentSystem[];
  /** Hits taken from each component before fusing, in component order (default 100 each). */
  depths: number[];
  fusion: FusionSpec;
  engine: HybridEngine;
}

export type SystemSpec = DenseSystem | LexicalSystem | HybridSystem;

/** Hits taken from each component when none is given (OpenSearch's pagination_depth plays this part). */
export const DEFAULT_FUSION_DEPTH = 100;


/** The prefixes a policy gives each side for a model. */
export function resolvePrefixes(model: Pick<ModelSpec, 'queryPrefix' | 'passagePrefix'>, policy: PrefixPolicy): Prefixes {
  if (typeof policy === 'object') return { query: policy.query, passage: policy.passage };
  switch (policy) {
    case 'none':
      return { query: '', passage: '' };
    case 'model':
      return { query: model.queryPrefix, passage: model.passagePrefix };
    case 'query-both':
      return { query: model.queryPrefix, passage: model.queryPrefix };
    case 'passage-both':
      return { query: model.passagePrefix, passage: model.passagePrefix };
  }
}

/** What one side sends to the encoder: the prefix prepended to its strings and, for `input-type` endpoints, the request's input_type. */
export interface SideInput {
  prefix: string;
  inputType: InputType | null;
}

/** The input_type each named policy gives queries and passages when the endpoint applies the prefixes. */
const INPUT_TYPES: Record<NamedPolicy, { query: InputType | null; passage: InputType | null }> = {
  none: { query: null, passage: null },
  model: { query: 'query', passage: 'passage' },
  'query-both': { query: 'query', passage: 'query' },
  'passage-both': { query: 'passage', passage: 'passage' },
};

/** The input_type (the article's content_type) each side gets under a named policy. */
export const policyInputTypes = (policy: NamedPolicy): { query: InputType | null; passage: InputType | null } => INPUT_TYPES[policy];

/**
 * What each side of a dense system sends: the policy's prefixes, or with an `input-type` remote encoder no prefix
 * and the input_type that makes the endpoint apply the same prefixes (explicit prefix strings cannot be said that
 * way; the systems file rejects the combination).
 */
export function sideInputs(system: Pick<DenseSystem, 'model' | 'prefix' | 'encoder'>): { query: SideInput; passage: SideInput } {
  const { encoder, prefix: policy } = system;
  if (encoder.kind === 'remote' && encoder.asymmetry === 'input-type') {
    if (typeof policy === 'object') throw new Error('explicit prefix strings need an encoder that is sent prefixes (asymmetry: prefix)');
    const t = INPUT_TYPES[policy];
    return { query: { prefix: '', inputType: t.query }, passage: { prefix: '', inputType: t.passage } };
  }
  const p = resolvePrefixes(system.model, policy);
  return { query: { prefix: p.query, inputType: null }, passage: { prefix: p.passage, inputType: null } };
}

/**
 * The words users type for each named policy. The first of each row is the canonical (report) name; the
 * policy names themselves are accepted too.
 */
export const POLICY_NAMES: Readonly<Record<string, NamedPolicy>> = Object.freeze({
  symmetric: 'none',
  asymmetric: 'model',
  'symmetric-query': 'query-both',
  'symmetric-passage': 'passage-both',
  none: 'none',
  model: 'model',
  'query-both': 'query-both',
  'passage-both': 'passage-both',
});

const POLICY_WORD: Record<NamedPolicy, string> = {
  none: 'symmetric',
  model: 'asymmetric',
  'query-both': 'symmetric-query',
  'passage-both': 'symmetric-passage',
};

/** 'symmetric', 'asymmetric', ... or 'custom' for explicit prefix strings. */
export function policyWord(policy: PrefixPolicy): string {
  return typeof policy === 'object' ? 'custom' : POLICY_WORD[policy];
}

/** `e5-small-v2` for `intfloat/e5-small-v2`. */
export const modelShortName = (model: Pick<ModelSpec, 'id'>): string => model.id.split('/').pop() ?? model.id;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Default label: the policy alone ("Asymmetric") when every dense system of the run uses one model, so the
 * article's two-column table reads as the article does; otherwise "e5-small-v2 asymmetric". Lexical: "BM25"
 * (whichever engine: report.md lists each system's engine).
 */
export function defaultLabel(system: Omit<DenseSystem, 'id' | 'label'> | Omit<LexicalSystem, 'id' | 'label'>, singleModel: boolean): string {
  if (system.kind === 'lexical') return 'BM25';
  const policy = policyWord(system.prefix);
  const suffix = encoderSuffix(system.encoder);
  const tail = suffix ? ` ${suffix}` : '';
  return singleModel ? `${capitalise(policy)}${tail}` : `${modelShortName(system.model)} ${policy}${tail}`;
}

/** The encoder in one word for reports: `fp32`, `q8` (local weights), `remote` or `cluster` (a model deployed in OpenSearch). */
export function encoderWord(encoder: EncoderSpec): string {
  if (encoder.kind === 'opensearch-model') return 'cluster';
  return encoder.kind === 'remote' ? 'remote' : encoder.dtype;
}

/** What sets an encoder apart from the default local fp32 one in ids and labels: `q8`, `remote`, `cluster`, or nothing. */
function encoderSuffix(encoder: EncoderSpec): string {
  if (encoder.kind === 'opensearch-model') return 'cluster';
  if (encoder.kind === 'remote') return 'remote';
  return encoder.dtype === 'fp32' ? '' : encoder.dtype;
}

/** Default id: `bm25`, `e5-small-v2.asymmetric` (`.q8` / `.remote` appended for other encoders). File-name safe. */
export function defaultId(system: Omit<DenseSystem, 'id' | 'label'> | Omit<LexicalSystem, 'id' | 'label'>): string {
  if (system.kind === 'lexical') return system.engine;
  const suffix = encoderSuffix(system.encoder);
  return `${modelShortName(system.model)}.${policyWord(system.prefix)}${suffix ? `.${suffix}` : ''}`.replace(/[^A-Za-z0-9+._-]/g, '_');
}


/**
 * A system is what one column of the report measures: a model with a prefix policy, an encoder and a search
 * engine (or a lexical engine alone). Systems are plain data: the CLI, the systems YAML and results.json all
 * describe them the same way, and the retrieval layer (src/retrieval/) turns one into a run.
 */
import { DEFAULT_RANK_CONSTANT, type FusionSpec } from '../fusion/fuse.js';
import type { Dtype, ModelSpec } from '../models/spec.js';
import { engineOf, type DenseEngine, type HybridEngine, type LexicalEngine } from '../engines/registry.js';

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

/**
 * How a remote endpoint is told which side a text is on. `prefix`: the harness prepends the policy's prefixes
 * and the endpoint embeds the strings as given. `input-type`: no prefix is sent; each request carries
 * `input_type: "query" | "passage"` and the endpoint applies its model's own prefixes (Cohere/Voyage style).
 */
export type RemoteAsymmetry = 'prefix' | 'input-type';

/** OpenAI-compatible embedding endpoints (`POST <url>/embeddings`), work spread over all of them. */
export interface RemoteEncoderSpec {
  kind: 'remote';
  /** Base URLs as OpenAI clients take them, e.g. http://127.0.0.1:8080/v1 (no credentials: those come from the environment). */
  urls: string[];
  asymmetry: RemoteAsymmetry;
  /** The `model` field of every request; default the system's model id. */
  model?: string;
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

export interface Prefixes {
  query: string;
  passage: string;
}

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

/** The side a text is on, as `input-type` endpoints are told it. */
export type InputType = 'query' | 'passage';

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

/** A hybrid's fusion in a few words for labels: `RRF`, `Linear 0.3/0.7`, `Linear l2 harmonic 0.3/0.7`. */
function fusionWord(fusion: FusionSpec): string {
  if (fusion.method === 'rrf') return fusion.rankConstant === DEFAULT_RANK_CONSTANT ? 'RRF' : `RRF k=${fusion.rankConstant}`;
  const extra = [fusion.normalization === 'min-max' ? '' : fusion.normalization, fusion.combination === 'arithmetic' ? '' : fusion.combination];
  return ['Linear', ...extra.filter(Boolean), fusion.weights.join('/')].join(' ');
}

/** A hybrid's fusion for ids: `rrf`, `linear-0.3-0.7`, `linear-l2-harmonic-0.3-0.7`, with `-d50` for other depths. */
function fusionTag(fusion: FusionSpec, depths: readonly number[]): string {
  const base =
    fusion.method === 'rrf'
      ? `rrf${fusion.rankConstant === DEFAULT_RANK_CONSTANT ? '' : `-k${fusion.rankConstant}`}`
      : ['linear', fusion.normalization === 'min-max' ? '' : fusion.normalization, fusion.combination === 'arithmetic' ? '' : fusion.combination, ...fusion.weights]
          .filter((x) => x !== '')
          .join('-');
  const depth = depths.every((d) => d === DEFAULT_FUSION_DEPTH) ? '' : `-d${new Set(depths).size === 1 ? depths[0] : depths.join('_')}`;
  return `${base}${depth}`;
}

/** `RRF (BM25 + Asymmetric)`, `Linear 0.3/0.7 (BM25 + Asymmetric) OpenSearch`, from the components' labels. */
export function hybridLabel(system: Pick<HybridSystem, 'fusion' | 'engine'>, componentLabels: readonly string[]): string {
  const tag = engineOf(system.engine).tag;
  return `${fusionWord(system.fusion)} (${componentLabels.join(' + ')})${tag ? ` ${tag.label}` : ''}`;
}

/** `bm25+e5-small-v2.asymmetric.rrf`, `....linear-0.3-0.7`, `.opensearch` appended when the cluster fuses. */
export function hybridId(system: Pick<HybridSystem, 'fusion' | 'engine' | 'depths'>, componentIds: readonly string[]): string {
  const tag = engineOf(system.engine).tag;
  return `${componentIds.join('+')}.${fusionTag(system.fusion, system.depths)}${tag ? `.${tag.id}` : ''}`;
}

/** The in-process engine that computes an engine's result exactly (itself when it already does). */
const exactEngineOf = <K extends DenseEngine | LexicalEngine>(engine: K): K => (engineOf(engine).exactTwin as K | undefined) ?? engine;

/** The same system searched exactly: the reference an approximate engine is measured against (its engine's exactTwin). */
export function exactTwin(system: DenseSystem): DenseSystem;
export function exactTwin(system: HybridSystem): HybridSystem;
export function exactTwin(system: DenseSystem | HybridSystem): DenseSystem | HybridSystem;
export function exactTwin(system: DenseSystem | HybridSystem): DenseSystem | HybridSystem {
  const twin = engineOf(system.engine).exactTwin;
  if (!twin) throw new Error(`engine ${system.engine} has no exact twin`);
  if (system.kind === 'dense') return { ...system, id: `${system.id}.exact`, label: `${system.label} (exact)`, engine: twin as DenseEngine };
  const components = system.components.map(
    (c): ComponentSystem =>
      c.kind === 'dense'
        ? { ...c, engine: exactEngineOf(c.engine) }
        : { ...c, id: c.id === c.engine ? exactEngineOf(c.engine) : `${c.id}.embedded`, engine: exactEngineOf(c.engine) },
  );
  return { ...system, components, id: `${system.id}.embedded`, label: `${system.label} (embedded)`, engine: twin as HybridEngine };
}

/** Systems measured against an exact twin: approximate engines that have one (HNSW search, the cluster's hybrid query). */
export const isApproximate = (system: SystemSpec): system is DenseSystem | HybridSystem => {
  if (system.kind === 'lexical') return false;
  const d = engineOf(system.engine);
  return d.approximate && d.exactTwin !== undefined;
};

/**
 * Whether a system reproduces its run bit for bit from the same inputs (its engines' `deterministic`, which the
 * regression verdicts rest on). Vectors must come from the local encoder (through the embedding cache): a remote
 * endpoint may return other floats for the same text.
 */
export const isDeterministic = (system: SystemSpec): boolean => {
  if (system.kind === 'hybrid') return engineOf(system.engine).deterministic && system.components.every(isDeterministic);
  if (system.kind === 'dense' && system.encoder.kind !== 'local') return false;
  return engineOf(system.engine).deterministic;
};

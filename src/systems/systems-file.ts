/**
 * `--systems FILE`: systems declared in YAML (schema in docs/SYSTEMS.md). Every error names the file, the line
 * and the field, e.g. `systems.yaml:7: systems[1].prefix: expected ...`.
 */
import { isMap } from 'yaml';
import { UserError } from '../errors.js';
import { resolveModel, type ModelSettings } from '../models/model-settings.js';
import { findModel } from '../models/registry.js';
import { DTYPE_NAMES, type Dtype, type ModelSpec } from '../models/spec.js';
import { checkEncoderUrl } from './encoder-url.js';
import { COMBINATIONS, FUSION_METHODS, hybridDraft, NORMALIZATIONS, type HybridRequest } from './hybrid-draft.js';
import type { ComponentDraft, SystemDraft } from './build.js';
import { backendChoice, DENSE_ENGINES, HYBRID_ENGINES, LEXICAL_ENGINES } from '../engines/registry.js';
import { comparisonRefs, type ComparisonRef } from './comparisons.js';
import { defaultId, POLICY_NAMES, type ClusterModelSpec, type EncoderSpec, type PrefixPolicy } from './system.js';
import { type RemoteAsymmetry, type RemoteEncoderSpec } from '../embed/remote-encoder.js';
import { parseYamlFile, readYamlFile, type Field } from '../yaml-field.js';

export interface SystemsFileDefaults {
  /** Default dtype of local encoders (--dtype). */
  dtype: Dtype;
  /**
   * The endpoints of --encoder-url (with --encoder-asymmetry and --encoder-model): the encoder of dense systems
   * that name none, and what `encoder: remote` means. Absent: local by default.
   */
  remote?: RemoteEncoderSpec;
  /** Default asymmetry of remote encoders declared in the file (--encoder-asymmetry; else prefix). */
  asymmetry?: RemoteAsymmetry;
  /** Default engines: a --backend value (src/engines/registry.ts, BACKENDS). */
  backend: string;
  /** --opensearch-model-id: the encoder of dense systems that name none (they then run on the opensearch-ml engine). */
  clusterModel?: ClusterModelSpec;
  /** Models known from the command line (--model with its settings), by id. */
  cliModels: ModelSpec[];
}


const MODEL_FIELDS = ['onnxRepo', 'queryPrefix', 'passagePrefix', 'pooling', 'normalize', 'maxLength', 'dimension', 'similarity'] as const;
const COMPONENT_FIELDS = ['id', 'label', 'model', 'prefix', 'dtype', 'encoder', 'engine'] as const;
/** A hybrid entry (docs/FUSION.md): `fusion` marks it. */
const HYBRID_FIELDS = ['id', 'label', 'fusion', 'components', 'k', 'normalization', 'combination', 'weights', 'depth', 'engine'] as const;
const SYSTEM_FIELDS = [...new Set([...COMPONENT_FIELDS, ...HYBRID_FIELDS])];
const ASYMMETRIES: readonly RemoteAsymmetry[] = ['prefix', 'input-type'];

/**
 * `encoder:` local | remote (the --encoder-url endpoints) | {kind: local} | {kind: remote, urls, asymmetry, model} |
 * {kind: opensearch-model, modelId} (a model deployed in the cluster; opensearch-ml engine only);
 * absent: --opensearch-model-id, else the --encoder-url endpoints when given, else local.
 */
function encoderSpec(f: Field | undefined, dtype: Field | undefined, defaults: SystemsFileDefaults): EncoderSpec {
  const local = (): EncoderSpec => ({ kind: 'local', dtype: dtype ? dtype.oneOf(DTYPE_NAMES) : defaults.dtype });
  let spec: EncoderSpec;
  if (!f) spec = defaults.clusterModel ?? defaults.remote ?? local();
  else if (!f.isMap) {
    const kind = f.oneOf(['local', 'remote'] as const);
    if (kind === 'local') spec = local();
    else if (!defaults.remote) throw f.error('"remote" alone means the --encoder-url endpoints, and none were given; or write {kind: remote, urls: [...]}');
    else spec = defaults.remote;
  } else {
    const allowed = ['kind', 'urls', 'asymmetry', 'model', 'modelId'];
    const kind = f.required('kind', allowed, '"kind" is required (local, remote or opensearch-model)').oneOf(['local', 'remote', 'opensearch-model'] as const);
    if (kind === 'opensearch-model') {
      for (const [k, v] of f.entries(allowed)) if (k !== 'kind' && k !== 'modelId' && v.present) throw v.error('an opensearch-model encoder takes only "modelId"');
      spec = { kind, modelId: f.required('modelId', allowed, 'an opensearch-model encoder needs "modelId" (the ml-commons model id)').string() };
    } else if (kind === 'local') {
      for (const [k, v] of f.entries(allowed)) if (k !== 'kind' && v.present) throw v.error(`only ${k === 'modelId' ? 'opensearch-model' : 'remote'} encoders take this field`);
      spec = local();
    } else {
      const modelIdField = f.optional('modelId', allowed);
      if (modelIdField) throw modelIdField.error('only opensearch-model encoders take this field');
      const urlsField = f.required('urls', allowed, 'a remote encoder needs "urls" (OpenAI-compatible base URLs, e.g. http://127.0.0.1:8080/v1)');
      const urls = urlsField.isList ? urlsField.items().map((u) => u.string()) : [urlsField.string()];
      if (urls.length === 0) throw urlsField.error('the list is empty');
      for (const u of urls) {
        try {
          checkEncoderUrl(u);
        } catch (err) {
          throw err instanceof UserError ? urlsField.error(err.message) : err;
        }
      }
      const asymmetry = f.optional('asymmetry', allowed)?.oneOf(ASYMMETRIES) ?? defaults.asymmetry ?? 'prefix';
      const model = f.optional('model', allowed)?.string();
      spec = { kind: 'remote', urls, asymmetry, ...(model !== undefined ? { model } : {}) };
    }
  }
  if (spec.kind !== 'local' && dtype) throw dtype.error('dtype applies to local encoders; a remote endpoint or a deployed model decides its own weights');
  return spec;
}

function modelSettings(f: Field): ModelSettings {
  const s: ModelSettings = {};
  for (const [key, v] of f.entries(MODEL_FIELDS)) {
    if (!v.present) continue;
    if (key === 'pooling') s.pooling = v.oneOf(['mean', 'cls'] as const);
    else if (key === 'similarity') s.similarity = v.oneOf(['cosine', 'dot'] as const);
    else if (key === 'normalize') s.normalize = v.boolean();
    else if (key === 'maxLength' || key === 'dimension') s[key] = v.positiveInteger();
    else s[key as 'onnxRepo' | 'queryPrefix' | 'passagePrefix'] = v.string();
  }
  return s;
}

function prefixPolicy(f: Field): PrefixPolicy {
  if (isMap(f.node)) {
    const entries = Object.fromEntries(f.entries(['query', 'passage']));
    if (!entries.query?.present || !entries.passage?.present) throw f.error('explicit prefixes need both query and passage (use "" for none)');
    return { query: entries.query.string(), passage: entries.passage.string() };
  }
  const word = f.oneOf(Object.keys(POLICY_NAMES));
  return POLICY_NAMES[word];
}

/**
 * The `models:` and `systems:` sections of a YAML document whose top level allows the fields `top` (a systems file
 * has just these two; a regression matrix embeds them among its own fields). Errors name file, line and field.
 */
export function parseSystemsSection(root: Field, defaults: SystemsFileDefaults, top: readonly string[]): SystemDraft[] {
  const models = new Map<string, ModelSpec>(defaults.cliModels.map((m) => [m.id.toLowerCase(), m]));
  const modelsField = root.get('models', top);
  if (modelsField.present) {
    for (const [id, settings] of modelsField.entries()) {
      const given = modelSettings(settings);
      try {
        models.set(id.toLowerCase(), resolveModel(id, given, (s) => `field "${s}"`));
      } catch (err) {
        throw err instanceof UserError ? settings.error(err.message) : err;
      }
    }
  }
  const lookup = (f: Field): ModelSpec => {
    const id = f.string();
    const spec = models.get(id.toLowerCase()) ?? findModel(id);
    if (!spec) throw f.error(`model "${id}" is neither in the registry (see the "models" command) nor under "models:" in this file`);
    return spec;
  };

  const systemsField = root.get('systems', top);
  if (!systemsField.present) throw root.error('a "systems" list is required');
  const items = systemsField.items();
  if (items.length === 0) throw systemsField.error('the list is empty');
  const component = (item: Field): ComponentDraft => {
    const fields = new Map(item.entries(COMPONENT_FIELDS));
    const opt = (k: string) => (fields.get(k)?.present ? fields.get(k) : undefined);
    const named = { ...(opt('id') ? { id: opt('id')!.string() } : {}), ...(opt('label') ? { label: opt('label')!.string() } : {}) };
    const engineField = opt('engine');
    const model = opt('model');
    if (!model) {
      const engine = engineField ? engineField.oneOf(LEXICAL_ENGINES) : undefined;
      if (!engine) throw item.error(`a system needs a "model" (dense) or a lexical "engine" (${LEXICAL_ENGINES.join(', ')})`);
      for (const k of ['prefix', 'dtype', 'encoder'] as const) if (opt(k)) throw opt(k)!.error('only dense systems (with a model) take this field');
      return { kind: 'lexical', engine, ...named };
    }
    if (!opt('prefix')) throw item.error('a dense system needs "prefix" (symmetric, asymmetric, ... or {query, passage})');
    const encoder = encoderSpec(opt('encoder'), opt('dtype'), defaults);
    const prefix = prefixPolicy(opt('prefix')!);
    if (typeof prefix === 'object' && encoder.kind === 'remote' && encoder.asymmetry === 'input-type') {
      throw opt('prefix')!.error('explicit prefix strings cannot be sent as an input_type: give this system an encoder with asymmetry: prefix');
    }
    const engine = engineField ? engineField.oneOf(DENSE_ENGINES) : encoder.kind === 'opensearch-model' ? 'opensearch-ml' : backendChoice(defaults.backend).dense;
    if (encoder.kind === 'opensearch-model' && engine !== 'opensearch-ml') {
      throw (engineField ?? item).error('a model deployed in OpenSearch (opensearch-model) embeds only on the opensearch-ml engine');
    }
    if (typeof prefix === 'object' && encoder.kind === 'opensearch-model') {
      throw opt('prefix')!.error('a deployed model is told the side by content_type: use a named policy (symmetric, asymmetric, ...)');
    }
    return {
      kind: 'dense',
      model: lookup(model),
      prefix,
      encoder,
      engine,
      ...named,
    };
  };

  const drafts: SystemDraft[] = [];
  /** A component written as the id of a system above (its own or its default id), or inline as a system. */
  const componentRef = (f: Field): ComponentDraft => {
    if (f.isMap) return component(f);
    const ref = f.string();
    const known = drafts.filter((d): d is ComponentDraft => d.kind !== 'hybrid');
    const found = known.find((d) => d.id === ref) ?? known.find((d) => d.id === undefined && defaultId(d) === ref);
    if (!found) {
      const ids = known.map((d) => d.id ?? defaultId(d));
      throw f.error(`unknown component "${ref}": name a dense or lexical system listed above it (${ids.join(', ') || 'none yet'}) or write one inline`);
    }
    return found;
  };
  const hybrid = (item: Field): SystemDraft => {
    const fields = new Map(item.entries(HYBRID_FIELDS));
    const opt = (k: string) => (fields.get(k)?.present ? fields.get(k) : undefined);
    const list = item.required('components', HYBRID_FIELDS, 'a hybrid needs "components" (ids of systems above, or inline systems)');
    const numbers = (f: Field) => (f.isList ? f.items() : [f]).map((x) => x.number(-Infinity, Infinity, 'a number'));
    const req: HybridRequest = {
      components: list.items().map(componentRef),
      method: opt('fusion')!.oneOf(FUSION_METHODS),
      ...(opt('k') ? { rankConstant: opt('k')!.positiveInteger() } : {}),
      ...(opt('normalization') ? { normalization: opt('normalization')!.oneOf(NORMALIZATIONS) } : {}),
      ...(opt('combination') ? { combination: opt('combination')!.oneOf(COMBINATIONS) } : {}),
      ...(opt('weights') ? { weights: numbers(opt('weights')!) } : {}),
      ...(opt('depth') ? { depths: (opt('depth')!.isList ? opt('depth')!.items() : [opt('depth')!]).map((x) => x.positiveInteger()) } : {}),
      engine: opt('engine') ? opt('engine')!.oneOf(HYBRID_ENGINES) : backendChoice(defaults.backend).hybrid,
      ...(opt('id') ? { id: opt('id')!.string() } : {}),
      ...(opt('label') ? { label: opt('label')!.string() } : {}),
    };
    try {
      return hybridDraft(req);
    } catch (err) {
      const at = /weight/.test(String((err as Error).message)) && opt('weights') ? opt('weights')! : item;
      throw err instanceof UserError ? at.error(err.message) : err;
    }
  };
  for (const item of items) {
    const isHybrid = item.isMap && item.entries(SYSTEM_FIELDS).some(([k, v]) => k === 'fusion' && v.present);
    drafts.push(isHybrid ? hybrid(item) : component(item));
  }
  return drafts;
}

const SYSTEMS_FILE_FIELDS = ['models', 'systems', 'comparisons'] as const;

/** A systems file: its systems, and the comparisons it names (empty: every system against the first). */
export interface SystemsFile {
  systems: SystemDraft[];
  comparisons: ComparisonRef[];
}

function systemsOf({ root }: { root: Field }, defaults: SystemsFileDefaults): SystemsFile {
  if (!root.present) throw root.error('the file is empty; it needs a "systems" list');
  const comparisons = root.get('comparisons', SYSTEMS_FILE_FIELDS);
  return { systems: parseSystemsSection(root, defaults, SYSTEMS_FILE_FIELDS), comparisons: comparisons.present ? comparisonRefs(comparisons) : [] };
}

export function parseSystemsFile(text: string, file: string, defaults: SystemsFileDefaults): SystemsFile {
  return systemsOf(parseYamlFile(text, file), defaults);
}

export async function readSystemsFile(file: string, defaults: SystemsFileDefaults): Promise<SystemsFile> {
  return systemsOf(await readYamlFile(file, 'systems file'), defaults);
}

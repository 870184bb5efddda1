/**
 * The registry of published scores (references/published-scores.yaml): what a model scored on a BEIR dataset
 * according to its model card or the MTEB results, and the protocol it was scored with. A system that follows
 * that protocol should land within the tolerance of the published score; the report shows both and flags the
 * difference when it does not (docs/REPORTS.md#published-scores).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isScalar } from 'yaml';
import { UserError } from '../errors.js';
import { getDataset } from '../datasets/registry.js';
import { parseMetricName, type MetricName } from '../eval/metrics.js';
import type { ModelSpec } from '../models/spec.js';
import { resolvePrefixes, type SystemSpec } from '../systems/system.js';
import { parseYamlFile, type Field } from '../yaml-field.js';

/** What makes a measured score comparable with a published one: the text sent and how vectors are made from it. */
export interface PublishedProtocol {
  queryPrefix: string;
  passagePrefix: string;
  pooling: ModelSpec['pooling'];
  maxLength: number;
  normalize: boolean;
}

export interface PublishedSource {
  id: string;
  title: string;
  url: string;
}

export interface PublishedScore {
  model: string;
  dataset: string;
  metric: MetricName;
  value: number;
  /** Decimals the source prints the value with (MTEB: 5; a model card rounded to 3). */
  decimals: number;
  source: PublishedSource;
}

export interface PublishedModel {
  model: string;
  protocol: PublishedProtocol;
  scores: PublishedScore[];
}

export interface PublishedRegistry {
  /** Where it was read from, for messages. */
  file: string;
  /** Largest accepted |measured - published| per metric, before the rounding allowance. */
  tolerance: Record<MetricName, number>;
  models: PublishedModel[];
}

/** The registry shipped with beir-bench. */
export const PUBLISHED_SCORES_FILE = fileURLToPath(new URL('../../references/published-scores.yaml', import.meta.url));

const TOP = ['tolerance', 'sources', 'models'] as const;
const PROTOCOL_FIELDS = ['queryPrefix', 'passagePrefix', 'pooling', 'maxLength', 'normalize'] as const;

/** Digits after the decimal point as the value is written in the file (0.324 -> 3). */
function decimalsOf(f: Field): number {
  const text = isScalar(f.node) && typeof f.node.source === 'string' ? f.node.source : String(f.plain());
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function protocolOf(f: Field): PublishedProtocol {
  const get = (k: (typeof PROTOCOL_FIELDS)[number]) => f.required(k, PROTOCOL_FIELDS);
  return {
    queryPrefix: get('queryPrefix').string(),
    passagePrefix: get('passagePrefix').string(),
    pooling: get('pooling').oneOf(['mean', 'cls'] as const),
    maxLength: get('maxLength').positiveInteger(),
    normalize: get('normalize').boolean(),
  };
}

/** Parse registry YAML (`file` names it in errors); every error names file, line and field. */
export function parsePublishedScores(text: string, file: string): PublishedRegistry {
  const { root } = parseYamlFile(text, file);
  if (!root.present) throw root.error('the file is empty');
  const metric = (key: string, f: Field) => {
    try {
      return parseMetricName(key);
    } catch (err) {
      throw err instanceof UserError ? f.error(err.message) : err;
    }
  };
  const tolerance: Record<MetricName, number> = {};
  for (const [key, f] of root.required('tolerance', TOP).entries()) tolerance[metric(key, f)] = f.number(0, 1, 'a tolerance between 0 and 1');

  const sources = new Map<string, PublishedSource>();
  for (const [id, f] of root.required('sources', TOP).entries()) {
    sources.set(id, { id, title: f.required('title', ['title', 'url']).string(), url: f.required('url', ['title', 'url']).string() });
  }

  const models: PublishedModel[] = [];
  for (const item of root.required('models', TOP).items()) {
    const fields = ['model', 'protocol', 'scores'];
    const model = item.required('model', fields).string();
    if (models.some((m) => m.model.toLowerCase() === model.toLowerCase())) throw item.get('model', fields).error(`model "${model}" is listed twice`);
    const scores: PublishedScore[] = [];
    for (const [dataset, entry] of item.required('scores', fields).entries()) {
      try {
        getDataset(dataset);
      } catch (err) {
        throw err instanceof UserError ? entry.error(err.message) : err;
      }
      const values = entry.entries();
      const sourceField = values.find(([k]) => k === 'source')?.[1];
      if (!sourceField?.present) throw entry.error('"source" is required (an id under "sources:")');
      const source = sources.get(sourceField.string());
      if (!source) throw sourceField.error(`unknown source "${sourceField.string()}"; expected one of ${[...sources.keys()].join(', ')}`);
      for (const [key, v] of values) {
        if (key === 'source') continue;
        const m = metric(key, v);
        if (!(m in tolerance)) throw v.error(`no tolerance is given for ${key} (add it under "tolerance:")`);
        scores.push({ model, dataset, metric: m, value: v.number(0, 1, 'a score between 0 and 1'), decimals: decimalsOf(v), source });
      }
    }
    models.push({ model, protocol: protocolOf(item.required('protocol', fields)), scores });
  }
  return { file, tolerance, models };
}

let bundled: PublishedRegistry | undefined;

/** The registry shipped with beir-bench, read once. */
export function bundledPublishedScores(): PublishedRegistry {
  bundled ??= parsePublishedScores(readFileSync(PUBLISHED_SCORES_FILE, 'utf8'), 'references/published-scores.yaml');
  return bundled;
}

/** A system measured against a model's published protocol, and where its declared settings depart from it. */
export interface ProtocolClaim {
  entry: PublishedModel;
  /** Declared settings that differ from the protocol, in words (`pooling cls, published mean`); empty when it follows it. */
  differences: string[];
}

/**
 * Whether a system is to be held to its model's published scores: a dense system of a registry model that uses
 * the model's own prefixes (the asymmetric policy) or exactly the protocol's prefix strings (e.g. a symmetric
 * model's none). Other named policies (symmetric, symmetric-query, ...) are deliberate experiments, not the
 * published setup. Where its prefixes, pooling, max length or normalisation differ from the protocol, that is a
 * drift the report flags. Weights (fp32, int8, a remote server's) and the engine are not declared settings: the
 * measured score is what checks them.
 */
export function protocolClaim(registry: PublishedRegistry, system: SystemSpec): ProtocolClaim | undefined {
  if (system.kind !== 'dense') return undefined;
  const entry = registry.models.find((m) => m.model.toLowerCase() === system.model.id.toLowerCase());
  if (!entry) return undefined;
  const p = entry.protocol;
  const m = system.model;
  const sent = resolvePrefixes(m, system.prefix);
  const samePrefixes = sent.query === p.queryPrefix && sent.passage === p.passagePrefix;
  if (system.prefix !== 'model' && !samePrefixes) return undefined;
  const q = JSON.stringify;
  const differences = [
    ...(sent.query !== p.queryPrefix ? [`query prefix ${q(sent.query)}, published ${q(p.queryPrefix)}`] : []),
    ...(sent.passage !== p.passagePrefix ? [`passage prefix ${q(sent.passage)}, published ${q(p.passagePrefix)}`] : []),
    ...(m.pooling !== p.pooling ? [`pooling ${m.pooling}, published ${p.pooling}`] : []),
    ...(m.maxLength !== p.maxLength ? [`max length ${m.maxLength}, published ${p.maxLength}`] : []),
    ...(m.normalize !== p.normalize ? [`${m.normalize ? '' : 'not '}normalised, published ${p.normalize ? '' : 'not '}normalised`] : []),
  ];
  return { entry, differences };
}

/** Half a unit of the last printed digit: how far a rounded value may be from what was measured. */
export const roundingAllowance = (decimals: number): number => 0.5 * 10 ** -decimals;

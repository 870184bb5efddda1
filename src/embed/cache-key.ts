import { createHash } from 'node:crypto';
import type { InputType } from '../models/input-text.js';
import type { EncoderInfo } from './encoder.js';

/** Everything besides the text that decides a vector. Changing any of it must miss the cache. */
export type CacheKeyParts = LocalKeyParts | RemoteKeyParts;

/** A local ONNX encoder: the weights and how token vectors become one vector. */
export interface LocalKeyParts {
  model: string;
  weightsSha256: string;
  dtype: string;
  pooling: string;
  normalize: boolean;
  maxLength: number;
}

/**
 * A remote endpoint: the model id it answers with and the fingerprint of its probe vectors (never its URL), for
 * one input_type (the same string sent as a query or as a passage is embedded differently).
 */
export interface RemoteKeyParts {
  kind: 'remote';
  model: string;
  inputType: InputType | null;
  fingerprint: string;
}

export function keyPartsOf(info: EncoderInfo): CacheKeyParts {
  if (info.kind === 'remote') return { kind: 'remote', model: info.endpointModel, inputType: info.request.input_type ?? null, fingerprint: info.fingerprint };
  const { model, weightsSha256, dtype, pooling, normalize, maxLength, padPooling } = info;
  // Padded pooling (a deliberately wrong variant) changes the vectors; it is absent from every ordinary key.
  return { model, weightsSha256, dtype, pooling: padPooling ? `${pooling}+padding@${padPooling}` : pooling, normalize, maxLength };
}

/** Hex sha256 of the key parts (fixed field order), naming the folder that holds their vectors. */
export function configHash(parts: CacheKeyParts): string {
  if ('kind' in parts) {
    const { model, inputType, fingerprint } = parts;
    return createHash('sha256').update(JSON.stringify({ v: 1, kind: 'remote', model, inputType, fingerprint })).digest('hex');
  }
  // Local keys are hashed exactly as before remote encoders existed, so existing caches still hit.
  const { model, weightsSha256, dtype, pooling, normalize, maxLength } = parts;
  return createHash('sha256').update(JSON.stringify({ v: 1, model, weightsSha256, dtype, pooling, normalize, maxLength })).digest('hex');
}

/** 32-byte key of one vector: the config hash and the exact input string (prefix included). */
export function entryKey(configHex: string, text: string): Buffer {
  return createHash('sha256').update(configHex).update('\n').update(text, 'utf8').digest();
}

import { createHash } from 'node:crypto';
import type { EncoderInfo } from './encoder.js';

/** Everything besides the text that decides a vector. Changing any of it must miss the cache. */
export interface CacheKeyParts {
  model: string;
  weightsSha256: string;
  dtype: string;
  pooling: string;
  normalize: boolean;
  maxLength: number;
}

export function keyPartsOf(info: EncoderInfo): CacheKeyParts {
  const { model, weightsSha256, dtype, pooling, normalize, maxLength } = info;
  return { model, weightsSha256, dtype, pooling, normalize, maxLength };
}

/** Hex sha256 of the key parts (fixed field order), naming the folder that holds their vectors. */
export function configHash(parts: CacheKeyParts): string {
  const { model, weightsSha256, dtype, pooling, normalize, maxLength } = parts;
  return createHash('sha256').update(JSON.stringify({ v: 1, model, weightsSha256, dtype, pooling, normalize, maxLength })).digest('hex');
}

/** 32-byte key of one vector: the config hash and the exact input string (prefix included). */
export function entryKey(configHex: string, text: string): Buffer {
  return createHash('sha256').update(configHex).update('\n').update(text, 'utf8').digest();
}

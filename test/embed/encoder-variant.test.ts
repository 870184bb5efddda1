/**
 * Variants of the local encoder (the deployment audit's hypotheses): the same loaded weights under other
 * truncation, normalisation and pooling settings, with the real e5-small-v2 model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCosines, rowNorms } from '../../src/audit/vector-stats.js';
import { configHash, keyPartsOf } from '../../src/embed/cache-key.js';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { getModel } from '../../src/models/registry.js';
import type { Matrix } from '../../src/types.js';
import { warnIfNoModels } from '../helpers/models.js';

const modelsDir = warnIfNoModels('local encoder variants');
const MODEL = getModel('intfloat/e5-small-v2');
const LONG = `passage: ${'The membrane attack complex assembles into large pores in the target cell membrane. '.repeat(12)}`;
const SHORT = 'query: how do pores form';

let encoder: LocalEncoder;
const row = (m: Matrix, i: number): Matrix => ({ data: m.data.slice(i * m.dim, (i + 1) * m.dim), rows: 1, dim: m.dim });

describe.skipIf(!modelsDir)('local encoder variants', () => {
  beforeAll(async () => {
    encoder = await loadEncoder({ model: MODEL, dtype: 'fp32', modelsDir: modelsDir!, threads: 2, batchSize: 4 });
  });
  afterAll(() => encoder?.dispose());

  it('an empty variant gives the same vectors; disposing a variant leaves the weights loaded', async () => {
    const v = encoder.variant({});
    expect((await v.encode([SHORT])).data).toEqual((await encoder.encode([SHORT])).data);
    await v.dispose();
    expect((await encoder.encode([SHORT])).rows).toBe(1);
  });

  it('truncation and normalisation follow the variant', async () => {
    expect(encoder.countTokens([LONG])[0]).toBeGreaterThan(64);
    const cut = encoder.variant({ maxLength: 64 });
    expect(cut.countTokens([LONG])).toEqual([64]);
    expect(rowCosines(await cut.encode([LONG]), await encoder.encode([LONG]))[0]).toBeLessThan(0.999);
    const raw = await encoder.variant({ normalize: false }).encode([SHORT]);
    expect(rowNorms(raw)[0]).toBeGreaterThan(2);
    expect(rowCosines(raw, await encoder.encode([SHORT]))[0]).toBeGreaterThan(0.99999);
  });

  it('padded pooling averages the padding: no effect on a text that fills the length, any batch gives the same vectors', async () => {
    const padded = encoder.variant({ maxLength: 64, padPooling: 64 });
    const plain = encoder.variant({ maxLength: 64 });
    // A text at least 64 tokens long has no padding to average.
    expect(rowCosines(await padded.encode([LONG]), await plain.encode([LONG]))[0]).toBeGreaterThan(0.99999);
    // A short one is pulled towards the padding positions' states.
    expect(rowCosines(await padded.encode([SHORT]), await plain.encode([SHORT]))[0]).toBeLessThan(0.99);
    // Every text is padded to the same length, so batch company changes nothing (unlike padding to the longest).
    const alone = await padded.encode([SHORT]);
    const together = await padded.encode([LONG, SHORT]);
    expect(rowCosines(alone, row(together, 1))[0]).toBeGreaterThan(0.99999);
  });

  it('variants that change vectors change the embedding cache key; an ordinary encoder keeps its old key', () => {
    const hash = (e: LocalEncoder) => configHash(keyPartsOf(e.info));
    expect(hash(encoder.variant({}))).toBe(hash(encoder));
    expect(encoder.info.padPooling).toBeUndefined();
    const keys = [encoder, encoder.variant({ padPooling: 512 }), encoder.variant({ maxLength: 128 }), encoder.variant({ normalize: false })].map(hash);
    expect(new Set(keys).size).toBe(4);
    expect(() => encoder.variant({ padPooling: 0 })).toThrow(/padPooling must be a positive integer/);
  });
});

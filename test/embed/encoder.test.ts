import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { pipeline } from '@huggingface/transformers';
import { loadEncoder, truncateTokens, type Encoder, type LocalEncoderInfo } from '../../src/embed/encoder.js';
import { UserError } from '../../src/errors.js';
import { getModel } from '../../src/models/registry.js';
import { matrixRow, type Matrix } from '../../src/types.js';
import { warnIfNoModels } from '../helpers/models.js';

const modelsDir = warnIfNoModels('encoder tests with real e5-small-v2 weights');

const QUERY = 'query: how much protein should a female eat';
const PASSAGE = "passage: As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 is 46 grams per day.";
const UNRELATED = 'passage: The Eiffel Tower was completed in 1889 for the World Fair in Paris.';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const rows = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => matrixRow(m, i));

describe('loadEncoder input checks', () => {
  it('says how to provision when the model folder is missing', async () => {
    const err = await loadEncoder({ model: getModel('intfloat/e5-base-v2'), dtype: 'fp32', modelsDir: '/nonexistent/models' }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String(err.message)).toMatch(/provision-models\.sh/);
  });
});

describe('truncateTokens', () => {
  it('keeps the closing special token when cutting', () => {
    expect(truncateTokens([101, 1, 2, 3, 4, 102], 4)).toEqual([101, 1, 2, 102]);
    expect(truncateTokens([101, 1, 102], 4)).toEqual([101, 1, 102]);
  });
});

describe.skipIf(!modelsDir)('encoder on real e5-small-v2 weights', () => {
  const model = getModel('intfloat/e5-small-v2');
  let fp32: Encoder<LocalEncoderInfo>;
  let q8: Encoder<LocalEncoderInfo>;
  beforeAll(async () => {
    fp32 = await loadEncoder({ model, dtype: 'fp32', modelsDir: modelsDir!, threads: 1, batchSize: 2 });
    q8 = await loadEncoder({ model, dtype: 'q8', modelsDir: modelsDir!, threads: 1 });
  });
  afterAll(async () => {
    await fp32?.dispose();
    await q8?.dispose();
  });

  it('records what it loaded, including the weights checksum', () => {
    expect(fp32.info).toMatchObject({ model: model.id, dtype: 'fp32', pooling: 'mean', normalize: true, maxLength: 512, dimension: 384, threads: 1, batchSize: 2, batchTokens: 128 });
    expect(fp32.info.weightsFile).toMatch(/onnx\/model\.onnx$/);
    expect(q8.info.weightsFile).toMatch(/onnx\/model_quantized\.onnx$/);
    expect(fp32.info.weightsSha256).toBe('b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0');
    expect(fp32.info.library).toMatch(/^@huggingface\/transformers@4\./);
  });

  it('embeds a matching query/passage pair close together and an unrelated passage further away', async () => {
    const [q, p, u] = rows(await fp32.encode([QUERY, PASSAGE, UNRELATED]));
    expect(dot(q, q)).toBeCloseTo(1, 5);
    expect(dot(q, p)).toBeGreaterThan(0.88);
    expect(dot(q, p) - dot(q, u)).toBeGreaterThan(0.05);
  });

  it('returns rows in the caller order whatever the batching order', async () => {
    const texts = [UNRELATED, QUERY, PASSAGE + ' '.repeat(3) + 'More words make this one the longest text here.', PASSAGE];
    const forward = rows(await fp32.encode(texts));
    const backward = rows(await fp32.encode([...texts].reverse())).reverse();
    forward.forEach((v, i) => expect(dot(v, backward[i])).toBeGreaterThan(0.99999));
  });

  it('agrees with the plain transformers.js feature-extraction pipeline', async () => {
    const extractor = await pipeline('feature-extraction', fp32.info.source, { dtype: 'fp32', local_files_only: true });
    try {
      const texts = [QUERY, PASSAGE, UNRELATED];
      const ref = await extractor(texts, { pooling: 'mean', normalize: true });
      const ours = await fp32.encode(texts);
      const refData = ref.data as Float32Array;
      texts.forEach((_, i) => expect(dot(matrixRow(ours, i), refData.subarray(i * 384, (i + 1) * 384))).toBeGreaterThan(0.9999));
    } finally {
      await extractor.dispose();
    }
  });

  it('int8 weights give nearly the same vectors as fp32', async () => {
    const a = rows(await fp32.encode([QUERY, PASSAGE]));
    const b = rows(await q8.encode([QUERY, PASSAGE]));
    a.forEach((v, i) => expect(dot(v, b[i])).toBeGreaterThan(0.99));
  });

  it('truncates at maxLength keeping the closing [SEP]', async () => {
    const long = 'passage: ' + 'protein '.repeat(1000);
    // [CLS] query : how much protein should a female eat [SEP]
    expect(fp32.countTokens([long, QUERY])).toEqual([512, 11]);
    const m = await fp32.encode([long]);
    expect(dot(matrixRow(m, 0), matrixRow(m, 0))).toBeCloseTo(1, 5);
  });

  it('returns an empty matrix for no texts', async () => {
    expect(await fp32.encode([])).toMatchObject({ rows: 0, dim: 384 });
  });
});

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HUB, localDtypes, resolveModelSource, weightsFileName } from '../../src/embed/model-source.js';
import { UserError } from '../../src/errors.js';
import { getModel } from '../../src/models/registry.js';

describe('model source', () => {
  const e5 = getModel('intfloat/e5-small-v2');
  const bge = getModel('BAAI/bge-small-en-v1.5');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-models-'));
    await mkdir(join(dir, 'intfloat/e5-small-v2/onnx'), { recursive: true });
    await writeFile(join(dir, 'intfloat/e5-small-v2/onnx/model_quantized.onnx'), '');
    await mkdir(join(dir, 'Xenova/bge-small-en-v1.5/onnx'), { recursive: true });
    await writeFile(join(dir, 'Xenova/bge-small-en-v1.5/onnx/model.onnx'), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('maps dtypes to transformers.js file names', () => {
    expect(weightsFileName('fp32')).toBe('onnx/model.onnx');
    expect(weightsFileName('q8')).toBe('onnx/model_quantized.onnx');
    expect(weightsFileName('fused')).toBe('onnx/model_fused.onnx');
    expect(weightsFileName('int8')).toBe('onnx/model_int8.onnx');
  });

  it('finds a model under its registry id or its ONNX repo', () => {
    expect(resolveModelSource(e5, 'q8', dir)).toEqual({ kind: 'local', root: dir, name: 'intfloat/e5-small-v2', dir: join(dir, 'intfloat/e5-small-v2') });
    expect(resolveModelSource(bge, 'fp32', dir)).toMatchObject({ kind: 'local', name: 'Xenova/bge-small-en-v1.5' });
    expect(localDtypes(e5, dir)).toEqual(['q8']);
  });

  describe('without a models dir', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('uses the Hugging Face hub', () => {
      vi.stubEnv('HF_ENDPOINT', '');
      expect(resolveModelSource(e5, 'fp32')).toEqual({ kind: 'hub', name: 'Xenova/e5-small-v2', host: DEFAULT_HUB });
    });

    it('uses the hub mirror HF_ENDPOINT names, as the Hugging Face tools do', () => {
      vi.stubEnv('HF_ENDPOINT', 'http://hf-mirror.internal:8080/hub');
      expect(resolveModelSource(e5, 'fp32')).toMatchObject({ kind: 'hub', host: 'http://hf-mirror.internal:8080/hub/' });
      vi.stubEnv('HF_ENDPOINT', 'hf-mirror.internal');
      expect(() => resolveModelSource(e5, 'fp32')).toThrow(/HF_ENDPOINT "hf-mirror\.internal" is not an absolute URL/);
      vi.stubEnv('HF_ENDPOINT', 'ftp://hf-mirror.internal/');
      expect(() => resolveModelSource(e5, 'fp32')).toThrow(UserError);
    });
  });

  it('says how to provision when the weights for the dtype are missing', () => {
    expect(() => resolveModelSource(e5, 'fp32', dir)).toThrow(UserError);
    expect(() => resolveModelSource(e5, 'fp32', dir)).toThrow(/scripts\/provision-models\.sh/);
  });
});

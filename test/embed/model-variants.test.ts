/**
 * The weights files scripts/build-model-variants.sh builds from the pinned fp32 graphs (run by provision-models.sh):
 * `--dtype fused` loads onnx/model_fused.onnx and must give the plain graph's vectors (cosine ≥ 0.99999 on every
 * passage of a real SciFact slice: the fusion changes the graph, not the arithmetic); `--dtype int8` loads
 * onnx/model_int8.onnx, which is a different computation (its vectors move; whether that moves a score is the gate's
 * question, test/eval/gate.test.ts and docs/PERFORMANCE.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { getModel } from '../../src/models/registry.js';
import type { Dtype } from '../../src/models/spec.js';
import { firstPassages } from '../../scripts/lib/first-passages.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('model variants (fused, int8)');
const built = (id: string) => !!modelsDir && ['model_fused.onnx', 'model_int8.onnx'].every((f) => existsSync(join(modelsDir, id, 'onnx', f)));
if (modelsDir && !built('intfloat/e5-small-v2')) console.warn('[skipped] model variants: run scripts/build-model-variants.sh');

const cosines = (a: Float32Array, b: Float32Array, dim: number) =>
  Array.from({ length: a.length / dim }, (_, i) => a.subarray(i * dim, (i + 1) * dim).reduce((s, x, d) => s + x * b[i * dim + d], 0));

for (const id of ['intfloat/e5-small-v2', 'sentence-transformers/all-MiniLM-L6-v2']) describe.skipIf(!built(id) || !hasSharedBeir())(`${id} variants on 12 SciFact passages`, () => {
  const model = getModel(id);
  const encoders = {} as Record<Dtype, LocalEncoder>;
  const vectors = {} as Record<Dtype, Float32Array>;
  beforeAll(async () => {
    const texts = await firstPassages(join(SHARED_BEIR, 'scifact', 'corpus.jsonl'), 12, model.passagePrefix);
    for (const dtype of ['fp32', 'fused', 'int8'] as const) {
      encoders[dtype] = await loadEncoder({ model, dtype, modelsDir: modelsDir!, threads: 1 });
      vectors[dtype] = (await encoders[dtype].encode(texts)).data;
    }
  }, 300_000);
  afterAll(async () => {
    for (const e of Object.values(encoders)) await e.dispose();
  });

  it('fused: its own file, the plain graph\'s vectors (cosine ≥ 0.99999 on every passage)', () => {
    expect(encoders.fused.info.weightsFile).toMatch(/onnx[\\/]model_fused\.onnx$/);
    expect(encoders.fused.info.weightsSha256).not.toBe(encoders.fp32.info.weightsSha256);
    expect(Math.min(...cosines(vectors.fp32, vectors.fused, model.dimension))).toBeGreaterThanOrEqual(0.99999);
  });

  it('int8: its own file and a different computation (vectors near, not equal)', () => {
    expect(encoders.int8.info).toMatchObject({ dtype: 'int8' });
    expect(encoders.int8.info.weightsFile).toMatch(/onnx[\\/]model_int8\.onnx$/);
    const cos = cosines(vectors.fp32, vectors.int8, model.dimension);
    expect(Math.min(...cos)).toBeGreaterThan(0.99);
    expect(Math.min(...cos)).toBeLessThan(0.99999);
  });
});

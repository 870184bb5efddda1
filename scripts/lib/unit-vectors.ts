import type { Prng } from '../../src/eval/prng.js';

/**
 * Fill `out[offset .. offset + dim)` with one deterministic unit vector: approximately Gaussian coordinates
 * (a sum of three uniforms), L2-normalised like e5 outputs. Synthetic stand-ins for embeddings in benchmarks.
 */
export function fillUnitVector(rng: Prng, out: Float32Array, offset: number, dim: number): void {
  let norm = 0;
  for (let j = 0; j < dim; j++) {
    const v = (rng.nextUint32() + rng.nextUint32() + rng.nextUint32()) / 2 ** 32 - 1.5;
    out[offset + j] = v;
    norm += v * v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < dim; j++) out[offset + j] *= inv;
}

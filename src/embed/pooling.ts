/**
 * Pool one batch of token states [rows, seqLen, dim] into [rows, dim] rows of `out`, starting at row `outRow`
 * for the batch's first item. `lengths[i]` is the real (unpadded) token count of item i; padding sits at the end.
 */
export function poolInto(
  hidden: Float32Array,
  lengths: readonly number[],
  seqLen: number,
  dim: number,
  pooling: 'mean' | 'cls',
  normalize: boolean,
  out: Float32Array,
  outRows: readonly number[],
): void {
  for (let i = 0; i < lengths.length; i++) {
    const dst = out.subarray(outRows[i] * dim, (outRows[i] + 1) * dim);
    const base = i * seqLen * dim;
    if (pooling === 'cls') {
      dst.set(hidden.subarray(base, base + dim));
    } else {
      // Accumulate in float64: 512 float32 additions would otherwise drift from the reference implementation.
      const acc = new Float64Array(dim);
      for (let t = 0; t < lengths[i]; t++) {
        const off = base + t * dim;
        for (let d = 0; d < dim; d++) acc[d] += hidden[off + d];
      }
      for (let d = 0; d < dim; d++) dst[d] = acc[d] / lengths[i];
    }
    if (normalize) normalizeInPlace(dst);
  }
}

export function normalizeInPlace(v: Float32Array): void {
  let sq = 0;
  for (let d = 0; d < v.length; d++) sq += v[d] * v[d];
  // Same epsilon clamp as torch.nn.functional.normalize: an all-zero row stays zero instead of NaN.
  const scale = 1 / Math.max(Math.sqrt(sq), 1e-12);
  for (let d = 0; d < v.length; d++) v[d] *= scale;
}

/** How many texts go into one forward pass. */
export interface BatchLimits {
  /** Most texts per batch. */
  maxRows: number;
  /** Most padded tokens per batch (rows x longest row); a single longer text still gets a batch of its own. */
  maxTokens: number;
}

/**
 * Group item indices into batches of similar token length, longest first. Sorting means each batch pads to a length
 * close to every member's; the token budget keeps activations small enough to stay in CPU cache, which on the
 * 2-core test machine made one 300-token passage per pass faster than 16 (docs/PERFORMANCE.md). Ties keep input
 * order, so the plan is deterministic.
 */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const i of order) {
    // The batch's first item is its longest, so it sets the padded length.
    const padded = (batch.length + 1) * (batch.length > 0 ? lengths[batch[0]] : lengths[i]);
    if (batch.length > 0 && (batch.length === limits.maxRows || padded > limits.maxTokens)) {
      batches.push(batch);
      batch = [];
    }
    batch.push(i);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

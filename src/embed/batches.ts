/**
 * Group item indices into batches of similar token length: sorting by length means each batch pads to a length
 * close to every member's, so little compute is spent on padding. Batches come longest first, so a memory problem
 * shows up at once rather than at the end of a long run. Ties keep input order, so the plan is deterministic.
 */
export function planBatches(lengths: readonly number[], batchSize: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

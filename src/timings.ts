/** Seconds spent per step, as results.json records them (`timings: { index: 0.31, search: 0.13 }`). */
export type Timings = Record<string, number>;

/** Run `fn` and record its wall time in seconds under `name`, whether it succeeds or throws. */
export async function timed<T>(timings: Timings, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = (performance.now() - t0) / 1000;
  }
}

/**
 * Hybrid systems through the retrieval seam. `fusion`: each component is retrieved like any system (so its
 * vectors come from the run's memo and cost nothing twice) and the runs are fused in process (src/fusion/).
 * Engine-fused (`opensearch-hybrid`): one index with the text and the dense component's vectors, searched by the cluster's
 * `hybrid` query through a search pipeline that normalises and combines the two sub-queries.
 */
import type { IndexKey } from '../backends/index-key.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { describeFusion, fuseRuns } from '../fusion/fuse.js';
import type { ComponentSystem, DenseSystem, HybridSystem } from '../systems/system.js';
import { timed } from '../timings.js';
import { engineOf } from '../engines/registry.js';
import { sha256Lines, type RunResources } from './resources.js';
import { encodeDense } from './retrieve-dense.js';
import { retrieveOne } from './retrieve-one.js';
import type { Retrieval } from './retrieval.js';

/** The first dense component's inputs and encoder stand for the hybrid's in results.json. */
const denseOf = (system: HybridSystem): DenseSystem | undefined => system.components.find((c): c is DenseSystem => c.kind === 'dense');

/**
 * Component runs of the run so far, per RunResources: the RRF and the linear fusion of the same components (and
 * every weighting of them) search once. Keyed by everything a run depends on: the component, its depth, the
 * dataset, split, queries and docs.
 */
const componentRuns = new WeakMap<RunResources, Map<string, Promise<Retrieval>>>();

function retrieveComponent(c: ComponentSystem, depth: number, ds: LoadedDataset, res: RunResources): { run: Promise<Retrieval>; reused: boolean } {
  let memo = componentRuns.get(res);
  if (!memo) componentRuns.set(res, (memo = new Map()));
  const key = JSON.stringify([c, depth, ds.name, ds.split, ds.corpus.size, sha256Lines(ds.queries.map((q) => q.id))]);
  const earlier = memo.get(key);
  if (earlier) return { run: earlier, reused: true };
  const run = retrieveOne(c, ds, depth, res);
  memo.set(key, run);
  // A failed retrieval is not remembered: the next system tries again.
  run.catch(() => memo.delete(key));
  return { run, reused: false };
}

async function retrieveFused(system: HybridSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const parts: Retrieval[] = [];
  const reused: string[] = [];
  for (const [i, c] of system.components.entries()) {
    const { run, reused: again } = retrieveComponent(c, system.depths[i], ds, res);
    const r = await run;
    parts.push(r);
    if (again) reused.push(c.id);
    else for (const [k, v] of Object.entries(r.timings)) timings[`${c.id}.${k}`] = v;
  }
  const runs = parts.map((p) => p.hits);
  const hits = await timed(timings, 'fuse', async () => fuseRuns(runs, system.fusion, ds.queries.map((q) => q.id), depth));
  const dense = parts.find((p) => p.inputs !== null);
  return {
    hits,
    inputs: dense?.inputs ?? null,
    encoder: dense?.encoder ?? null,
    engine: {
      engine: system.engine,
      fusion: describeFusion(system.fusion),
      rules: 'OpenSearch neural-search 2.19 normalization-processor / score-ranker-processor, float32 (docs/FUSION.md)',
      components: system.components.map((c, i) => ({ system: c.id, depth: system.depths[i], ...parts[i].engine })),
      // Runs an earlier hybrid of this run already retrieved (their timings are that system's).
      reusedComponentRuns: reused,
    },
    timings,
    components: runs,
  };
}

/** A hybrid the engine fuses: one index of passages and their vectors, one query of text and vector (OpenSearch's hybrid query). */
async function retrieveEngineHybrid(system: HybridSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const dense = denseOf(system);
  if (!dense) throw new Error(`hybrid ${system.id}: the ${system.engine} engine needs a dense component`);
  const { passages, queries, key: denseKey } = await encodeDense(dense, ds, res);
  timings.encodePassages = passages.record.seconds;
  timings.encodeQueries = queries.record.seconds;
  // One index per dense component serves every fusion of it with BM25 (RRF, any weights): the pipeline differs, not the index.
  const key: IndexKey = { ...denseKey, system: `hybrid.${dense.id}` };
  const backend = await res.backendFor(dense.engine);
  await timed(timings, 'index', () =>
    backend.index({ key, corpus: ds.corpus, vectors: { passages: passages.vectors, similarity: dense.model.similarity }, lexical: true }),
  );
  const hits = await timed(timings, 'search', () =>
    backend.search({
      key,
      queries: ds.queries,
      vectors: queries.matrix,
      k: depth,
      hybrid: { fusion: system.fusion, depth: system.depths[0], order: system.components.map((c) => (c.kind === 'dense' ? 'dense' : 'lexical')) },
    }),
  );
  return {
    hits,
    inputs: { queries: queries.record, passages: passages.record },
    encoder: passages.encoder,
    engine: { engine: system.engine, fusion: describeFusion(system.fusion), depth: system.depths[0], ...backend.describe() },
    timings,
  };
}

export function retrieveHybrid(system: HybridSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  return engineOf(system.engine).fusedBy === 'harness' ? retrieveFused(system, ds, depth, res) : retrieveEngineHybrid(system, ds, depth, res);
}

/**
 * One system that is not a hybrid: a dense system embedded by the harness or by the engine, or a lexical one.
 * Hybrids retrieve their components through here (retrieve-hybrid.ts).
 */
import type { IndexKey } from '../backends/index-key.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import { engineOf } from '../engines/registry.js';
import type { ComponentSystem, LexicalSystem } from '../systems/system.js';
import { timed } from '../timings.js';
import type { RunResources } from './resources.js';
import { retrieveDense } from './retrieve-dense.js';
import { retrieveServerSide } from './retrieve-server.js';
import { docSetOf, indexInto, type Retrieval } from './retrieval.js';

async function retrieveLexical(system: LexicalSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  const timings: Record<string, number> = {};
  const docSet = docSetOf(ds);
  const key: IndexKey = { dataset: ds.name, model: 'none', system: system.id, docSet, fingerprint: docSet };
  const backend = await res.backendFor(system.engine);
  const advice = engineOf(system.engine).sizeAdvice?.(ds.corpus.size);
  if (advice) res.warn(advice);
  const indexed = await indexInto(backend, { key, corpus: ds.corpus }, timings);
  const hits = await timed(timings, 'search', () => backend.search({ key, queries: ds.queries, k: depth }));
  return { hits, inputs: null, encoder: null, engine: { engine: system.engine, ...backend.describe(), ...indexed }, timings };
}

/** Index the dataset as the system says and return each query's top `depth` hits. */
export function retrieveOne(system: ComponentSystem, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  if (system.kind === 'lexical') return retrieveLexical(system, ds, depth, res);
  return engineOf(system.engine).embeds === 'server' ? retrieveServerSide(system, ds, depth, res) : retrieveDense(system, ds, depth, res);
}

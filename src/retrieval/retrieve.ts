/**
 * The retrieval seam: a system and a loaded dataset in, a ranked run and its provenance out (retrieval.ts). Every
 * engine, encoder and fusion of systems (retrieve-hybrid.ts) is reached through `retrieve`; the bench loop knows
 * none of them.
 */
import type { LoadedDataset } from '../datasets/loaders.js';
import type { SystemSpec } from '../systems/system.js';
import type { RunResources } from './resources.js';
import { retrieveHybrid } from './retrieve-hybrid.js';
import { retrieveOne } from './retrieve-one.js';
import type { Retrieval } from './retrieval.js';

/** Index the dataset as the system says and return each query's top `depth` hits. */
export function retrieve(system: SystemSpec, ds: LoadedDataset, depth: number, res: RunResources): Promise<Retrieval> {
  return system.kind === 'hybrid' ? retrieveHybrid(system, ds, depth, res) : retrieveOne(system, ds, depth, res);
}

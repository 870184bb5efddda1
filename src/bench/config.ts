import type { MetricName } from '../eval/metrics.js';
import type { Dtype, ArmName, ModelSpec } from '../models/spec.js';
import type { OpenSearchOptions } from '../backends/opensearch.js';

/** Everything one `bench` run depends on; recorded whole in results.json (credentials never enter it). */
export interface BenchConfig {
  datasets: string[];
  split: string;
  model: ModelSpec;
  dtype: Dtype;
  arms: ArmName[];
  k: number;
  metrics: MetricName[];
  backend: 'embedded' | 'opensearch';
  ignoreIdenticalIds: boolean;
  /** An already-extracted BEIR folder used as-is; otherwise datasets are downloaded into datasetCacheDir. */
  dataDir?: string;
  datasetCacheDir: string;
  mirror?: string;
  modelsDir?: string;
  /** null disables the embedding cache. */
  embeddingCacheDir: string | null;
  threads?: number;
  batchSize?: number;
  /** Padded-token budget per forward pass (see embed/batches.ts). */
  batchTokens?: number;
  maxQueries?: number;
  maxDocs?: number;
  outDir: string;
  seed: number;
  permutations: number;
  opensearch?: OpenSearchOptions;
  quiet: boolean;
}

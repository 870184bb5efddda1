import type { Device } from '../embed/encoder.js';
import type { ModelsDir } from '../embed/model-source.js';
import type { RemoteTransport } from '../embed/remote-client.js';
import type { MetricName } from '../eval/metrics.js';
import type { EngineOptions } from '../engines/engine.js';
import type { ComparisonPair } from '../systems/comparisons.js';
import type { SystemSpec } from '../systems/system.js';

/** Everything one `bench` run depends on; recorded in results.json (credentials never enter it). */
export interface BenchConfig {
  /** As given: registry names, paths to BEIR folders, NAME=PATH (src/datasets/source.ts, resolveDataset). */
  datasets: string[];
  /** The folder relative dataset paths are resolved against (a regression matrix's folder); absent = the working directory. */
  datasetBaseDir?: string;
  split: string;
  /** The systems, in table order. */
  systems: SystemSpec[];
  /** The pairs compared (a systems file's `comparisons:`); absent = every system against the first. */
  comparisons?: ComparisonPair[];
  /** Cutoff of the headline measures (NDCG@k, MAP@k, Recall@k), of the HNSW-vs-exact overlap and of the deployment audit. */
  k: number;
  metrics: MetricName[];
  /**
   * Hits per query each run keeps, scores and writes to runs/*.trec (engines are asked for one more when self hits are
   * dropped). Never shallower than the deepest cutoff of `metrics` (cut-run.ts runDepth); absent = that cutoff.
   * results.json records the depth the run used.
   */
  depth?: number;
  ignoreIdenticalIds: boolean;
  /** An already-extracted BEIR folder used as-is; otherwise datasets are downloaded into datasetCacheDir. */
  dataDir?: string;
  datasetCacheDir: string;
  mirror?: string;
  /** Where local models are looked up (a plain path counts as given by --models-dir); absent = the hub (src/embed/model-source.ts). */
  modelsDir?: string | ModelsDir;
  /** null disables the embedding cache. */
  embeddingCacheDir: string | null;
  threads?: number;
  batchSize?: number;
  /** Padded-token budget per forward pass (see embed/batches.ts). */
  batchTokens?: number;
  /** Local encoders' execution provider. */
  device?: Device;
  /** How remote encoders send requests, when a system uses one. */
  remote?: RemoteTransport;
  maxQueries?: number;
  maxDocs?: number;
  outDir: string;
  seed: number;
  permutations: number;
  /** Memory budget as given (`--max-memory`, e.g. "8G"); absent = half of the machine's memory (src/memory-budget.ts). */
  maxMemory?: string;
  /**
   * `--fusion-weights`: re-fuse every linear two-component hybrid (fused in process) at each weight of its first
   * component and report the curve (src/bench/fusion-sweep.ts).
   */
  fusionWeights?: number[];
  /** `--tune-split`: pick the sweep's weight on the first of these splits a dataset has (e.g. dev, train), not the test queries. */
  tuneSplits?: string[];
  /** opensearch-ml systems: passages the deployment audit samples (src/audit/); 0 = no audit. Absent = the default (100). */
  auditPassages?: number;
  /** Settings of the engine families the systems use (connection, HNSW, ...), by options key (src/engines/). */
  engineOptions: EngineOptions;
  quiet: boolean;
}

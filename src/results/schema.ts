/**
 * results.json, the contract between a run and everything that reads it (report, compare, regress): this
 * module's ResultsFile type is the schema. schema/results.schema.json is generated from it
 * (`npm run schema`; a test fails when the two drift) and every reader validates against that file.
 * Bump SCHEMA_VERSION on any change a reader of the previous version could misread.
 */
import type { DeploymentAudit } from '../audit/audit-result.js';
import type { BenchConfig } from '../bench/config.js';
import type { Comparison } from '../bench/run-bench.js';
import type { DatasetStats } from '../datasets/stats.js';
import type { EncoderInfo } from '../embed/encoder.js';
import type { ModelsDirOrigin } from '../embed/model-source.js';
import type { InvariantViolation } from '../eval/invariants.js';
import type { FusionSweep } from '../bench/fusion-sweep.js';
import type { InputRecord } from '../retrieval/retrieval.js';
import type { SystemSpec } from '../systems/system.js';

export const SCHEMA_VERSION = 1;

export interface ResultsFile {
  schemaVersion: 1;
  /** `20261125-174501-scifact-e5-small-v2`: the folder name under results/. */
  runId: string;
  /** ISO 8601. */
  startedAt: string;
  seconds: number;
  environment: Environment;
  config: RunConfig;
  /** The systems in table order; the first is the baseline of every comparison unless config.comparisons names the pairs. */
  systems: SystemSpec[];
  /** Passages run through a model vs served by the embedding cache, over the whole run. */
  passages: { encoded: number; fromCache: number };
  datasets: DatasetResults[];
  /**
   * Present when the file is a published table imported by `beir-bench import` (docs/REPORTS.md#imported-tables),
   * not a run: its systems have means only. Then perQuery is empty, runFile is '', inputs and encoder are null,
   * engine and timings are empty, the run counters (qrelsQueriesMissingFromRun, runQueriesWithoutQrels,
   * selfHitsRemoved, qrelsDocsMissingFromCorpus) are 0 because the source does not give them, datasets[].files
   * is empty (the source's files are unknown; docs and queries are the counts it states), comparisons are empty
   * (no paired statistics without per-query scores: config.comparisons names the pairs), config.seed and
   * config.permutations are 0, and the environment is that of the import.
   */
  imported?: ImportedFrom;
}

/** Where an imported table comes from. */
export interface ImportedFrom {
  title: string;
  url: string;
  /** Publication date as the source gives it. */
  published?: string;
  /** The transcription file it was imported from, and its sha256. */
  transcription: string;
  sha256: string;
  /** Decimals the source prints its means with: each may be off by half a unit of the last one. */
  decimals: number;
  /** Settings the source does not state, and what the file records for them. */
  unstated: string[];
}

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  /** beir-bench and the packages that decide scores (null: not installed). */
  packages: Record<string, string | null>;
}

/**
 * The run's settings besides its systems (listed whole in ResultsFile.systems) and the progress flag; each engine
 * family's settings sit beside them under its options key (e.g. `opensearch`, `lancedb`: EngineOptionsRecord).
 */
export type RunConfig = Omit<BenchConfig, 'systems' | 'engineOptions' | 'quiet' | 'modelsDir'> & Readonly<Record<string, unknown>> & {
  /** The models folder consulted (each system's encoder.source says where its model came from). */
  modelsDir?: string;
  /** Who chose it: --models-dir, $BEIR_BENCH_MODELS_DIR or the default folder. Absent in results written before it. */
  modelsDirFrom?: ModelsDirOrigin;
};

export interface DatasetResults {
  name: string;
  displayName: string;
  /** md5 of the official BEIR zip (registry), for provenance; absent for a folder that is not a registry dataset. */
  officialZipMd5?: string;
  /**
   * The dataset as given (`scifact`, `./my-data`, `mine=/data/mine`, a matrix entry's path) and whether the
   * registry's facts (md5, published scores, the article's row) apply to it (docs/DATASETS.md "Your own data").
   * Absent in files written before it: a registry dataset.
   */
  source?: DatasetSourceRecord;
  folder: string;
  split: string;
  /**
   * corpus.jsonl, queries.jsonl, qrels/<split>.tsv by path relative to the folder: the byte sha256 (provenance)
   * and the content digest (identity, independent of line order, line endings and key order; docs/DATASETS.md).
   * `contentDigest` is optional: files written before it was added lack it.
   */
  files: Record<string, { path: string; bytes: number; sha256: string; contentDigest?: string }>;
  qrelsDocsMissingFromCorpus: { rows: number; docIds: number; examples: string[] };
  /** Passages indexed and queries run (after --max-docs / --max-queries). */
  docs: number;
  queries: number;
  /**
   * Words per test query (src/word-count.ts), for per-query gain-vs-length charts. Optional: files written
   * before it was added lack it, and reports then leave that chart out.
   */
  queryWords?: Record<string, number>;
  stats: DatasetStats;
  timings: Record<string, number>;
  /** One entry per system, in the order of ResultsFile.systems. */
  systems: SystemResults[];
  /** Every system against the first, or the pairs of config.comparisons. */
  comparisons: Comparison[];
  invariantViolations: (InvariantViolation & { system: string })[];
  /** `--fusion-weights`: each linear hybrid's weight curve (optional: absent without the flag, and in older files). */
  fusionSweeps?: FusionSweep[];
}

export interface DatasetSourceRecord {
  given: string;
  /** 'download': the registry's md5-checked zip; 'folder': a folder as given (--data-dir, a path, NAME=PATH). */
  origin: 'download' | 'folder';
  /** Whether the registry's facts apply: a download, or a folder with the registry name, counts and content digests. */
  registry: boolean;
  /** A folder given a registry name that is not that dataset: why (its counts or content digests differ). */
  mismatch?: string;
}

export interface SystemResults {
  /** The system's id (ResultsFile.systems[].id). */
  system: string;
  /** Dense systems: exactly what was sent to the model. */
  inputs: { queries: InputRecord; passages: InputRecord } | null;
  /** Dense systems: the model as loaded (weights sha256, dtype, pooling, ...). */
  encoder: EncoderInfo | null;
  /** The engine and its settings. */
  engine: Record<string, unknown>;
  timings: Record<string, number>;
  /** TREC run file, relative to the results folder. */
  runFile: string;
  /** Mean of each metric over queriesScored queries. */
  mean: Record<string, number>;
  queriesScored: number;
  qrelsQueriesMissingFromRun: number;
  runQueriesWithoutQrels: number;
  selfHitsRemoved: number;
  /** Approximate engines: agreement with the same system searched exactly. */
  approximation?: Approximation;
  /** Server-side embedding (opensearch-ml): the deployment audit against the reference encoder (src/audit/, docs/AUDIT.md). */
  audit?: DeploymentAudit;
  /** Query id -> metric -> value, full double precision. */
  perQuery: Record<string, Record<string, number>>;
}

export interface Approximation {
  /** Id of the exact reference system (not listed in systems: it exists only for this comparison). */
  reference: string;
  /** Mean top-k overlap with the exact run; null when no query had hits. */
  meanOverlap: number | null;
  exactMean: Record<string, number>;
}


import { createHash } from 'node:crypto';
import type { SearchBackend, IndexKey } from '../backends/backend.js';
import { EmbeddedBackend } from '../backends/embedded.js';
import { exactTopK } from '../backends/exact.js';
import { OpenSearchBackend } from '../backends/opensearch.js';
import { topKOverlap } from '../backends/overlap.js';
import { getDataset } from '../datasets/registry.js';
import { resolveDatasetFolder } from '../datasets/resolve.js';
import { loadDataset, type LoadedDataset } from '../datasets/loaders.js';
import { computeStats, type DatasetStats } from '../datasets/stats.js';
import { loadEncoder, type Encoder, type EncoderInfo } from '../embed/encoder.js';
import { embedTexts } from '../embed/cache.js';
import { comparePaired, holmAdjust, type MetricComparison } from '../eval/compare.js';
import { evaluate, type EvalResult } from '../eval/evaluate.js';
import { checkInvariants, type InvariantViolation } from '../eval/invariants.js';
import { gainByQueryLength } from '../eval/length-analysis.js';
import { displayName, type MetricName } from '../eval/metrics.js';
import { armPrefixes, passageText, queryText } from '../models/arms.js';
import type { ArmName } from '../models/spec.js';
import type { Matrix, Run } from '../types.js';
import type { BenchConfig } from './config.js';
import { cutRun } from './cut-run.js';

/** What was sent to the model for one side of one arm: enough to reproduce it string for string. */
export interface InputRecord {
  prefix: string;
  template: string;
  count: number;
  /** sha256 over every input string, in order, each followed by a newline. */
  sha256: string;
  example: string;
  encoded: number;
  fromCache: number;
  seconds: number;
}

export interface ArmOutcome {
  arm: ArmName;
  inputs: { queries: InputRecord; passages: InputRecord } | null;
  run: Run;
  eval: EvalResult;
  timings: Record<string, number>;
  /** OpenSearch only: how far the approximate (HNSW) top k is from exact search on the same vectors. */
  approximation?: { meanOverlap: number; exactMean: Record<MetricName, number> };
}

export interface ArmComparison {
  baseline: ArmName;
  arm: ArmName;
  metrics: MetricComparison[];
  lengthAnalysis: ReturnType<typeof gainByQueryLength>;
}

export interface DatasetOutcome {
  name: string;
  displayName: string;
  stats: DatasetStats;
  data: Pick<LoadedDataset, 'folder' | 'split' | 'files' | 'qrelsDocsMissingFromCorpus'> & { docs: number; queries: number };
  arms: ArmOutcome[];
  comparisons: ArmComparison[];
  invariantViolations: (InvariantViolation & { arm: ArmName })[];
  timings: Record<string, number>;
}

export interface BenchOutcome {
  config: BenchConfig;
  encoder: EncoderInfo | null;
  backend: Record<string, unknown>;
  datasets: DatasetOutcome[];
  startedAt: string;
  seconds: number;
}

/** Passages run through the model vs served by the embedding cache, over the whole run. */
export function passageCounts(datasets: readonly DatasetOutcome[]): { encoded: number; fromCache: number } {
  let encoded = 0;
  let fromCache = 0;
  for (const d of datasets) {
    for (const a of d.arms) {
      encoded += a.inputs?.passages.encoded ?? 0;
      fromCache += a.inputs?.passages.fromCache ?? 0;
    }
  }
  return { encoded, fromCache };
}

const log = (cfg: BenchConfig, msg: string) => {
  if (!cfg.quiet) process.stderr.write(`${msg}\n`);
};

function sha256Lines(texts: readonly string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\n');
  return h.digest('hex');
}

async function timed<T>(timings: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = (performance.now() - t0) / 1000;
  }
}

async function openBackend(cfg: BenchConfig): Promise<SearchBackend> {
  if (cfg.backend === 'embedded') return new EmbeddedBackend();
  if (!cfg.opensearch) throw new Error('opensearch backend selected without OpenSearch options');
  return OpenSearchBackend.connect(cfg.opensearch);
}

/** Encode one side of an arm through the embedding cache and record exactly what went in. */
async function encodeSide(
  cfg: BenchConfig,
  encoder: Encoder,
  dataset: string,
  label: string,
  texts: string[],
  prefix: string,
  template: string,
): Promise<{ matrix: Matrix; record: InputRecord }> {
  const out = await embedTexts({ encoder, texts, cacheDir: cfg.embeddingCacheDir, namespace: dataset, label, quiet: cfg.quiet });
  return {
    matrix: out.matrix,
    record: {
      prefix,
      template,
      count: texts.length,
      sha256: sha256Lines(texts),
      example: texts[0] ?? '',
      encoded: out.encoded,
      fromCache: out.fromCache,
      seconds: out.seconds,
    },
  };
}

async function runArm(
  cfg: BenchConfig,
  ds: LoadedDataset,
  arm: ArmName,
  backend: SearchBackend,
  encoder: Encoder | null,
): Promise<ArmOutcome> {
  const timings: Record<string, number> = {};
  // Engines return k + 1 so that removing a self hit still leaves k (BEIR does the same).
  const fetchK = cfg.ignoreIdenticalIds ? cfg.k + 1 : cfg.k;
  const evalOpts = { metrics: cfg.metrics, ignoreIdenticalIds: cfg.ignoreIdenticalIds, averageOverAllQrels: false };
  const vectorSides =
    arm === 'bm25'
      ? null
      : await (async () => {
          if (!encoder) throw new Error('vector arm without an encoder');
          const prefixes = armPrefixes(cfg.model, arm);
          const passages = await encodeSide(
            cfg, encoder, ds.name, `${ds.name} ${arm} passages`,
            ds.docs.map((d) => passageText(d, prefixes.passage)), prefixes.passage, `${JSON.stringify(prefixes.passage)} + (title + " " + text).trim()`,
          );
          const queries = await encodeSide(
            cfg, encoder, ds.name, `${ds.name} ${arm} queries`,
            ds.queries.map((q) => queryText(q, prefixes.query)), prefixes.query, `${JSON.stringify(prefixes.query)} + text`,
          );
          timings.encodePassages = passages.record.seconds;
          timings.encodeQueries = queries.record.seconds;
          return { passages, queries };
        })();

  const key: IndexKey = {
    dataset: ds.name,
    model: arm === 'bm25' ? 'bm25' : cfg.model.id,
    arm,
    fingerprint: vectorSides
      ? createHash('sha256').update(vectorSides.passages.record.sha256).update(encoder!.info.weightsSha256).update(encoder!.info.dtype).digest('hex').slice(0, 16)
      : sha256Lines(ds.docs.map((d) => d.id)).slice(0, 16),
  };
  await timed(timings, 'index', () => backend.index({ key, docs: ds.docs, vectors: vectorSides?.passages.matrix }));
  const raw = await timed(timings, 'search', () =>
    backend.search({ key, queries: ds.queries, vectors: vectorSides?.queries.matrix, k: fetchK }),
  );
  const run = cutRun(raw, cfg.k, cfg.ignoreIdenticalIds);
  const result = evaluate(ds.qrels, run, evalOpts);

  let approximation: ArmOutcome['approximation'];
  if (vectorSides && backend.name !== 'embedded') {
    const exactHits = exactTopK(vectorSides.queries.matrix, vectorSides.passages.matrix, ds.docs.map((d) => d.id), fetchK);
    const exactRaw: Run = new Map(ds.queries.map((q, i) => [q.id, new Map(exactHits[i].map((h) => [h.id, h.score]))]));
    const exactRun = cutRun(exactRaw, cfg.k, cfg.ignoreIdenticalIds);
    approximation = {
      meanOverlap: topKOverlap(run, exactRun, cfg.k).meanOverlap,
      exactMean: evaluate(ds.qrels, exactRun, evalOpts).mean,
    };
  }
  return {
    arm,
    inputs: vectorSides ? { queries: vectorSides.queries.record, passages: vectorSides.passages.record } : null,
    run,
    eval: result,
    timings,
    approximation,
  };
}

/** Paired comparisons of every arm against the first one (the baseline), plus the query-length analysis. */
function compareArms(cfg: BenchConfig, ds: LoadedDataset, arms: ArmOutcome[]): ArmComparison[] {
  const [base, ...others] = arms;
  const primary = cfg.metrics[0];
  return others.map((o) => {
    const gains = new Map<string, number>();
    for (const [qid, scores] of o.eval.perQuery) {
      const b = base.eval.perQuery.get(qid);
      if (b) gains.set(qid, scores[primary] - b[primary]);
    }
    return {
      baseline: base.arm,
      arm: o.arm,
      metrics: comparePaired(base.eval, o.eval, ds.qrels, { permutations: cfg.permutations, bootstrapSamples: cfg.permutations, seed: cfg.seed }),
      lengthAnalysis: gainByQueryLength(ds.queries, gains),
    };
  });
}

export async function runBench(cfg: BenchConfig): Promise<BenchOutcome> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const needsVectors = cfg.arms.some((a) => a !== 'bm25');
  const encoder = needsVectors
    ? await loadEncoder({ model: cfg.model, dtype: cfg.dtype, modelsDir: cfg.modelsDir, threads: cfg.threads, batchSize: cfg.batchSize, batchTokens: cfg.batchTokens })
    : null;
  const backend = await openBackend(cfg);
  const datasets: DatasetOutcome[] = [];
  try {
    for (const name of cfg.datasets) {
      const timings: Record<string, number> = {};
      const info = getDataset(name);
      const folder = await timed(timings, 'resolve', () =>
        resolveDatasetFolder(name, { dataDir: cfg.dataDir, cacheDir: cfg.datasetCacheDir, mirror: cfg.mirror, quiet: cfg.quiet }),
      );
      const ds = await timed(timings, 'load', () =>
        loadDataset(name, folder, { split: cfg.split, maxDocs: cfg.maxDocs, maxQueries: cfg.maxQueries }),
      );
      log(cfg, `${info.displayName}: ${ds.docs.length} passages, ${ds.queries.length} ${cfg.split} queries (${folder})`);
      const arms: ArmOutcome[] = [];
      for (const arm of cfg.arms) {
        const outcome = await runArm(cfg, ds, arm, backend, encoder);
        arms.push(outcome);
        const shown = cfg.metrics.map((m) => `${displayName(m)} ${outcome.eval.mean[m].toFixed(4)}`).join(', ');
        log(cfg, `  ${arm}: ${shown}`);
      }
      const invariantViolations = arms.flatMap((a) => checkInvariants(ds.qrels, a.eval, cfg.k).map((v) => ({ ...v, arm: a.arm })));
      datasets.push({
        name,
        displayName: info.displayName,
        stats: computeStats(ds),
        data: {
          folder: ds.folder,
          split: ds.split,
          files: ds.files,
          qrelsDocsMissingFromCorpus: ds.qrelsDocsMissingFromCorpus,
          docs: ds.docs.length,
          queries: ds.queries.length,
        },
        arms,
        comparisons: arms.length > 1 ? compareArms(cfg, ds, arms) : [],
        invariantViolations,
        timings,
      });
    }
  } finally {
    await backend.close();
    await encoder?.dispose();
  }
  // Holm across every metric and dataset of this report: one family of hypotheses.
  holmAdjust(datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics)));
  return {
    config: cfg,
    encoder: encoder?.info ?? null,
    backend: backend.describe(),
    datasets,
    startedAt,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The main job as a loop of datasets x systems: retrieve -> cut (k, self hits) -> evaluate -> compare with the
 * first system. Which engine or encoder a system uses is the retrieval layer's business (src/retrieval/).
 */
import type { RankedRun } from '../ranking.js';
import { datasetFacts, observedOf, type DatasetFacts } from '../datasets/identity.js';
import { loadDataset, type LoadedDataset } from '../datasets/loaders.js';
import { repeatedIdsOf, resolveDataset, type DatasetSource } from '../datasets/source.js';
import { computeStats, type DatasetStats } from '../datasets/stats.js';
import type { DeploymentAudit } from '../audit/audit-result.js';
import { engineOf } from '../engines/registry.js';
import type { EncoderInfo } from '../embed/encoder.js';
import { comparePaired, holmAdjust, type MetricComparison } from '../eval/compare.js';
import { evaluateRanked, type EvalOptions, type EvalResult } from '../eval/evaluate.js';
import { cutoffsOf } from '../eval/eval-input.js';
import { checkInvariants, type InvariantViolation } from '../eval/invariants.js';
import { gainByQueryLength, type LengthAnalysis } from '../eval/length-analysis.js';
import { displayName, type MetricName } from '../eval/metrics.js';
import { topKOverlap } from '../eval/overlap.js';
import { MemoryBudget } from '../memory-budget.js';
import { RunResources } from '../retrieval/resources.js';
import { retrieve } from '../retrieval/retrieve.js';
import { type InputRecord } from '../retrieval/retrieval.js';
import { type SystemSpec } from '../systems/system.js';
import { isApproximate, exactTwin } from '../systems/system-engines.js';
import { wordCount } from '../word-count.js';
import { timed } from '../timings.js';
import { againstFirst } from '../systems/comparisons.js';
import type { BenchConfig } from './config.js';
import { cutRun, retrievalDepth, runDepth } from './cut-run.js';
import { isSweepable, sweepSystem, type FusionSweep } from './fusion-sweep.js';

export interface SystemOutcome {
  system: SystemSpec;
  inputs: { queries: InputRecord; passages: InputRecord } | null;
  encoder: EncoderInfo | null;
  engine: Record<string, unknown>;
  /** The run as scored and written: top k, self hits removed. */
  run: RankedRun;
  eval: EvalResult;
  timings: Record<string, number>;
  /** Approximate engines: agreement with the same system searched exactly (its "exact twin"). */
  approximation?: { reference: string; meanOverlap: number; exactMean: Record<MetricName, number> };
  /** Engines that audit their deployment (server-side embedding): the audit (src/audit/). */
  audit?: DeploymentAudit;
  /** Hybrids fused in process: the component runs (not written; the --fusion-weights sweep re-fuses them). */
  componentRuns?: RankedRun[];
}

/** Two systems of one dataset compared query by query (results.json `comparisons`). */
export interface Comparison {
  /** System ids. */
  baseline: string;
  system: string;
  metrics: MetricComparison[];
  lengthAnalysis: LengthAnalysis;
}

export interface DatasetOutcome {
  name: string;
  displayName: string;
  /** Where it came from (as given) and whether the registry's facts apply (src/datasets/identity.ts). */
  source: DatasetSource;
  facts: DatasetFacts;
  stats: DatasetStats;
  data: Pick<LoadedDataset, 'folder' | 'split' | 'files' | 'qrelsDocsMissingFromCorpus'> & {
    docs: number;
    queries: number;
    /** Words per test query (src/word-count.ts, as the length analysis counts them), for per-query charts. */
    queryWords: Record<string, number>;
  };
  systems: SystemOutcome[];
  comparisons: Comparison[];
  invariantViolations: (InvariantViolation & { system: string })[];
  timings: Record<string, number>;
  /** --fusion-weights: the weight curve of each linear hybrid. */
  fusionSweeps?: FusionSweep[];
}

export interface BenchOutcome {
  config: BenchConfig;
  datasets: DatasetOutcome[];
  startedAt: string;
  seconds: number;
}

const log = (cfg: BenchConfig, msg: string) => {
  if (!cfg.quiet) process.stderr.write(`${msg}\n`);
};

const evalOptions = (cfg: BenchConfig): EvalOptions => ({ metrics: cfg.metrics, ignoreIdenticalIds: cfg.ignoreIdenticalIds, averageOverAllQrels: false });

/** A system's run as scored: retrieved deep enough for every cutoff (and the self hit), then cut (cut-run.ts). */
async function retrieveRun(cfg: BenchConfig, ds: LoadedDataset, system: SystemSpec, res: RunResources) {
  const depth = runDepth(cfg);
  const r = await retrieve(system, ds, retrievalDepth(depth, cfg.ignoreIdenticalIds), res);
  return { ...r, run: cutRun(r.hits, depth, cfg.ignoreIdenticalIds) };
}

async function runSystem(cfg: BenchConfig, ds: LoadedDataset, system: SystemSpec, res: RunResources): Promise<SystemOutcome> {
  const r = await retrieveRun(cfg, ds, system, res);
  const run = r.run;
  const outcome: SystemOutcome = {
    system,
    inputs: r.inputs,
    encoder: r.encoder,
    engine: r.engine,
    run,
    eval: evaluateRanked(ds.qrels, run, evalOptions(cfg)),
    timings: r.timings,
    ...(r.components ? { componentRuns: r.components } : {}),
  };
  if (isApproximate(system)) {
    // The same vectors (served by the run's embedding memo) searched exactly.
    const twin = exactTwin(system);
    const exactRun = (await retrieveRun(cfg, ds, twin, res)).run;
    outcome.approximation = {
      reference: twin.id,
      meanOverlap: topKOverlap(run, exactRun, cfg.k).meanOverlap,
      exactMean: evaluateRanked(ds.qrels, exactRun, evalOptions(cfg)).mean,
    };
  }
  const audit = system.kind === 'dense' ? engineOf(system.engine).audit : undefined;
  if (audit && system.kind === 'dense' && cfg.auditPassages !== 0) {
    // The engine checks its own deployment, e.g. the server's vectors against the local encoder's (src/audit/).
    const score = async (s: SystemSpec) => {
      const cut = (await retrieveRun(cfg, ds, s, res)).run;
      return { run: cut, mean: evaluateRanked(ds.qrels, cut, evalOptions(cfg)).mean };
    };
    outcome.audit = await timed(outcome.timings, 'audit', () =>
      audit({
        system, ds, engineRecord: r.engine, server: { run, mean: outcome.eval.mean }, score, encoderFor: (s) => res.encoderFor(s, null), engineOptions: cfg.engineOptions,
        metric: cfg.metrics[0], k: cfg.k, options: { passages: cfg.auditPassages, seed: cfg.seed }, log: (line) => log(cfg, line),
      }),
    );
  }
  return outcome;
}

/** --fusion-weights: each linear two-component hybrid's curve (and, with --tune-split, the weight tuned on that split). */
async function sweepFusions(cfg: BenchConfig, ds: LoadedDataset, systems: SystemOutcome[], res: RunResources): Promise<FusionSweep[]> {
  const sweeps: FusionSweep[] = [];
  for (const o of systems) {
    if (!isSweepable(o.system) || !o.componentRuns) continue;
    log(cfg, `  sweeping ${o.system.label} over weights ${cfg.fusionWeights!.join(', ')}`);
    sweeps.push(
      await sweepSystem(o.system, o.componentRuns, ds, res, {
        weights: cfg.fusionWeights!,
        ignoreIdenticalIds: cfg.ignoreIdenticalIds,
        eval: evalOptions(cfg),
        tuneSplits: cfg.tuneSplits,
        maxQueries: cfg.maxQueries,
      }),
    );
  }
  return sweeps;
}

/** Paired comparisons of the run's pairs (default: every system against the first), plus the query-length analysis. */
function compareSystems(cfg: BenchConfig, ds: LoadedDataset, systems: SystemOutcome[]): Comparison[] {
  const byId = new Map(systems.map((s) => [s.system.id, s]));
  const primary = cfg.metrics[0];
  return (cfg.comparisons ?? againstFirst(cfg.systems)).map((pair) => {
    const base = byId.get(pair.baseline)!;
    const o = byId.get(pair.system)!;
    const gains = new Map<string, number>();
    for (const [qid, scores] of o.eval.perQuery) {
      const b = base.eval.perQuery.get(qid);
      if (b) gains.set(qid, scores[primary] - b[primary]);
    }
    return {
      baseline: base.system.id,
      system: o.system.id,
      metrics: comparePaired(base.eval, o.eval, ds.qrels, { permutations: cfg.permutations, bootstrapSamples: cfg.permutations, seed: cfg.seed }),
      lengthAnalysis: gainByQueryLength(ds.queries, gains),
    };
  });
}

async function runDataset(cfg: BenchConfig, source: DatasetSource, timings: Record<string, number>, res: RunResources): Promise<DatasetOutcome> {
  const { name, folder } = source;
  const ds = await timed(timings, 'load', () =>
    loadDataset(name, folder, { split: cfg.split, maxDocs: cfg.maxDocs, maxQueries: cfg.maxQueries, repeatedIds: repeatedIdsOf(source) }),
  );
  const facts = datasetFacts(source, observedOf(ds));
  if (facts.mismatch) log(cfg, `warning: ${facts.mismatch}`);
  res.checkMemory(cfg.systems, ds);
  log(cfg, `${facts.displayName}: ${ds.corpus.size} passages, ${ds.queries.length} ${cfg.split} queries (${folder})`);
  const systems: SystemOutcome[] = [];
  let fusionSweeps: FusionSweep[] | undefined;
  try {
    for (const system of cfg.systems) {
      const outcome = await runSystem(cfg, ds, system, res);
      systems.push(outcome);
      log(cfg, `  ${system.label}: ${cfg.metrics.map((m) => `${displayName(m)} ${outcome.eval.mean[m].toFixed(4)}`).join(', ')}`);
    }
    if (cfg.fusionWeights) fusionSweeps = await sweepFusions(cfg, ds, systems, res);
  } finally {
    await res.forgetVectors();
  }
  return {
    name,
    displayName: facts.displayName,
    source,
    facts,
    stats: computeStats(ds, facts),
    data: {
      folder: ds.folder,
      split: ds.split,
      files: ds.files,
      qrelsDocsMissingFromCorpus: ds.qrelsDocsMissingFromCorpus,
      docs: ds.corpus.size,
      queries: ds.queries.length,
      queryWords: Object.fromEntries(ds.queries.map((q) => [q.id, wordCount(q.text)])),
    },
    systems,
    comparisons: compareSystems(cfg, ds, systems),
    invariantViolations: systems.flatMap((s) => cutoffsOf(cfg.metrics).flatMap((k) => checkInvariants(ds.qrels, s.eval, k)).map((v) => ({ ...v, system: s.system.id }))),
    timings,
    ...(fusionSweeps ? { fusionSweeps } : {}),
  };
}

export async function runBench(cfg: BenchConfig): Promise<BenchOutcome> {
  if (cfg.systems.length === 0) throw new Error('runBench: no systems');
  const started = Date.now();
  const res = new RunResources({
    modelsDir: cfg.modelsDir,
    threads: cfg.threads,
    batchSize: cfg.batchSize,
    batchTokens: cfg.batchTokens,
    device: cfg.device,
    remote: cfg.remote,
    embeddingCacheDir: cfg.embeddingCacheDir,
    engineOptions: cfg.engineOptions,
    memory: MemoryBudget.fromOption(cfg.maxMemory),
    quiet: cfg.quiet,
  });
  const datasets: DatasetOutcome[] = [];
  try {
    // Every dataset located first (downloads included), so a name or path that does not resolve stops the run at once.
    const sources: { source: DatasetSource; timings: Record<string, number> }[] = [];
    for (const given of cfg.datasets) {
      const timings: Record<string, number> = {};
      const opts = { dataDir: cfg.dataDir, cacheDir: cfg.datasetCacheDir, mirror: cfg.mirror, quiet: cfg.quiet, baseDir: cfg.datasetBaseDir };
      sources.push({ source: await timed(timings, 'resolve', () => resolveDataset(given, opts)), timings });
    }
    for (const { source, timings } of sources) datasets.push(await runDataset(cfg, source, timings, res));
  } finally {
    await res.close();
  }
  // Holm across every metric and dataset of this report: one family of hypotheses.
  holmAdjust(datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics)));
  return { config: { ...cfg, depth: runDepth(cfg) }, datasets, startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000 };
}

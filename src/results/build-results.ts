/** A finished run as results.json (src/results/schema.ts): provenance, settings, and every per-query score. */
import { cpus } from 'node:os';
import type { BenchOutcome, DatasetOutcome, SystemOutcome } from '../bench/run-bench.js';
import { ENGINE_PACKAGES, recordEngineOptions } from '../engines/registry.js';
import { asModelsDir } from '../embed/model-source.js';
import { installedVersion, ownVersion } from '../package-info.js';
import { SCHEMA_VERSION, type Environment, type ResultsFile, type SystemResults } from './schema.js';

/** The encoder's packages and every engine's (src/engines/). */
const RECORDED_PACKAGES = ['@huggingface/transformers', 'onnxruntime-node', ...ENGINE_PACKAGES];

export async function environment(): Promise<Environment> {
  const packages: Record<string, string | null> = { 'beir-bench': ownVersion() };
  for (const p of RECORDED_PACKAGES) packages[p] = installedVersion(p);
  return { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, packages };
}

/** `<dataset>.<system id>.trec` under runs/. */
export const runFileName = (dataset: string, system: string) => `${dataset}.${system}.trec`;

/** Passages run through a model vs served by the embedding cache, over the whole run. */
export function passageCounts(datasets: readonly DatasetOutcome[]): { encoded: number; fromCache: number } {
  let encoded = 0;
  let fromCache = 0;
  for (const s of datasets.flatMap((d) => d.systems)) {
    encoded += s.inputs?.passages.encoded ?? 0;
    fromCache += s.inputs?.passages.fromCache ?? 0;
  }
  return { encoded, fromCache };
}

function systemResults(dataset: string, s: SystemOutcome): SystemResults {
  const a = s.approximation;
  return {
    system: s.system.id,
    inputs: s.inputs,
    encoder: s.encoder,
    engine: s.engine,
    timings: s.timings,
    runFile: `runs/${runFileName(dataset, s.system.id)}`,
    mean: s.eval.mean,
    queriesScored: s.eval.queriesScored,
    qrelsQueriesMissingFromRun: s.eval.qrelsQueriesMissingFromRun,
    runQueriesWithoutQrels: s.eval.runQueriesWithoutQrels,
    selfHitsRemoved: s.eval.selfHitsRemoved,
    // JSON has no NaN: "no query to compare" is null.
    ...(a ? { approximation: { ...a, meanOverlap: Number.isNaN(a.meanOverlap) ? null : a.meanOverlap } } : {}),
    ...(s.audit ? { audit: s.audit } : {}),
    perQuery: Object.fromEntries(s.eval.perQuery),
  };
}

export function buildResults(outcome: BenchOutcome, runId: string, env: Environment): ResultsFile {
  const { systems, engineOptions, quiet: _quiet, modelsDir, ...config } = outcome.config;
  const models = modelsDir === undefined ? undefined : asModelsDir(modelsDir);
  return {
    schemaVersion: SCHEMA_VERSION,
    runId,
    startedAt: outcome.startedAt,
    seconds: outcome.seconds,
    environment: env,
    // Each engine family records its own settings (credentials never: results are shared).
    config: {
      ...config,
      ...(models && { modelsDir: models.dir, modelsDirFrom: models.from }),
      ...recordEngineOptions(engineOptions),
    },
    systems,
    passages: passageCounts(outcome.datasets),
    datasets: outcome.datasets.map((d) => ({
      name: d.name,
      displayName: d.displayName,
      ...(d.facts.registry ? { officialZipMd5: d.facts.registry.md5 } : {}),
      source: {
        given: d.source.given,
        origin: d.source.origin,
        registry: d.facts.registry !== undefined,
        ...(d.facts.mismatch ? { mismatch: d.facts.mismatch } : {}),
      },
      ...d.data,
      stats: d.stats,
      timings: d.timings,
      systems: d.systems.map((s) => systemResults(d.name, s)),
      comparisons: d.comparisons,
      invariantViolations: d.invariantViolations,
      ...(d.fusionSweeps ? { fusionSweeps: d.fusionSweeps } : {}),
    })),
  };
}

/**
 * results.json files for report tests, built the way bench builds them from per-query scores: means, the real
 * paired comparisons (comparePaired, Holm across the run), the real length analysis, validated against the
 * schema. The per-query scores are synthetic but deterministic per (dataset, system, query), so the same system
 * in two runs scores the same, as it would. Browser and CLI tests use real bench runs instead.
 */
import { comparePaired, holmAdjust } from '../../src/eval/compare.js';
import type { EvalResult } from '../../src/eval/evaluate.js';
import { gainByQueryLength } from '../../src/eval/length-analysis.js';
import { Prng } from '../../src/eval/prng.js';
import { getModel } from '../../src/models/registry.js';
import type { PublishedRegistry } from '../../src/references/published-scores.js';
import { checkResults } from '../../src/results/read-results.js';
import { SCHEMA_VERSION, type DatasetResults, type ResultsFile } from '../../src/results/schema.js';
import { parseArms } from '../../src/systems/arms.js';
import { buildSystems } from '../../src/systems/build.js';
import { type SystemSpec } from '../../src/systems/system.js';
import { exactTwin } from '../../src/systems/system-engines.js';
import type { Qrels } from '../../src/types.js';

export const METRICS = ['ndcg_cut.10', 'map_cut.10', 'recall.10'];

export interface DatasetFixture {
  name: 'scifact' | 'nfcorpus';
  queries?: number;
  corpusSha256?: string;
  /** The corpus's content digest (absent: a results.json written before content digests). */
  corpusContent?: string;
  split?: string;
  /** Leave out per-query lengths, as files written before the field existed. */
  noQueryWords?: boolean;
}

export interface RunFixture {
  runId: string;
  /** --arms syntax; `model` is the default model. */
  arms: string;
  model?: string;
  backend?: 'embedded' | 'opensearch';
  datasets: DatasetFixture[];
  metrics?: string[];
  seed?: number;
}

export function systemsOf(arms: string, model = 'intfloat/e5-small-v2', backend: 'embedded' | 'opensearch' = 'embedded'): SystemSpec[] {
  return buildSystems(parseArms(arms, { model: getModel(model), encoder: { kind: 'local', dtype: 'fp32' }, backend, resolveModel: getModel }));
}

function seedOf(...parts: string[]): number {
  let h = 2166136261;
  for (const ch of parts.join('\u0000')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

const wordsOf = (i: number) => 2 + (i % 11);

/** Scores of one system on one query: a shared query difficulty plus a system effect that grows for short queries. */
function perQuery(dataset: string, system: SystemSpec, n: number, metrics: string[]): Map<string, Record<string, number>> {
  const difficulty = new Prng(seedOf(dataset));
  const own = new Prng(seedOf(dataset, system.kind === 'dense' ? `${system.model.id}/${JSON.stringify(system.prefix)}` : 'bm25'));
  const effect = system.kind === 'lexical' ? -0.05 : system.kind === 'dense' && system.prefix === 'model' ? 0.08 : 0;
  const out = new Map<string, Record<string, number>>();
  for (let i = 0; i < n; i++) {
    const base = difficulty.nextInt(1000) / 1000;
    const noise = (own.nextInt(1000) / 1000 - 0.5) * 0.2;
    const v = (m: number) => Math.round(Math.min(1, Math.max(0, base * m + effect * (12 - wordsOf(i)) / 6 + noise)) * 1e4) / 1e4;
    out.set(`q${String(i).padStart(3, '0')}`, Object.fromEntries(metrics.map((m, j) => [m, v(1 - j * 0.1)])));
  }
  return out;
}

function evalResult(scores: Map<string, Record<string, number>>, metrics: string[]): EvalResult {
  const mean = Object.fromEntries(metrics.map((m) => [m, [...scores.values()].reduce((s, r) => s + r[m], 0) / scores.size]));
  return { metrics, perQuery: scores, mean, queriesScored: scores.size, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0 };
}

export async function fixtureResults(f: RunFixture): Promise<ResultsFile> {
  const metrics = f.metrics ?? METRICS;
  const systems = systemsOf(f.arms, f.model, f.backend);
  const seed = f.seed ?? 42;
  const datasets: DatasetResults[] = f.datasets.map((d) => {
    const n = d.queries ?? 60;
    const evals = systems.map((s) => evalResult(perQuery(d.name, s, n, metrics), metrics));
    const ids = [...evals[0].perQuery.keys()];
    const qrels: Qrels = new Map(ids.map((q) => [q, new Map([[`d-${q}`, 1]])]));
    const queries = ids.map((q, i) => ({ id: q, text: Array.from({ length: wordsOf(i) }, () => 'word').join(' ') }));
    const display = d.name === 'scifact' ? 'SciFact' : 'NFCorpus';
    return {
      name: d.name,
      displayName: display,
      officialZipMd5: 'fixture',
      folder: `/data/${d.name}`,
      split: d.split ?? 'test',
      files: {
        corpus: { path: 'corpus.jsonl', bytes: 1000, sha256: d.corpusSha256 ?? `${d.name}-corpus-sha256`, ...(d.corpusContent ? { contentDigest: d.corpusContent } : {}) },
        queries: { path: 'queries.jsonl', bytes: 100, sha256: `${d.name}-queries-sha256` },
      },
      qrelsDocsMissingFromCorpus: { rows: 0, docIds: 0, examples: [] },
      docs: 500,
      queries: n,
      ...(d.noQueryWords ? {} : { queryWords: Object.fromEntries(queries.map((q, i) => [q.id, wordsOf(i)])) }),
      stats: {
        name: d.name, displayName: display, split: 'test', queries: { avg: 7, median: 7, count: n }, passages: { avg: 200, median: 190, count: 500 },
        passagesSource: 'corpus', lengthRatio: 28.6, questionShare: 0.1, bias: 'GOOD', testQueries: n, corpusDocs: 500, notes: [],
      },
      timings: {},
      systems: systems.map((s, i) => {
        const e = evals[i];
        const approx = s.engine === 'opensearch-knn';
        return {
          system: s.id, inputs: null, encoder: null, engine: { kind: s.engine }, timings: {}, runFile: `runs/${d.name}.${s.id}.trec`,
          mean: e.mean, queriesScored: e.queriesScored, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0,
          ...(approx && s.kind === 'dense' ? { approximation: { reference: exactTwin(s).id, meanOverlap: 0.95 - i * 0.01, exactMean: Object.fromEntries(metrics.map((m) => [m, e.mean[m] + 0.002])) } } : {}),
          perQuery: Object.fromEntries(e.perQuery),
        };
      }),
      comparisons: systems.slice(1).map((s, i) => {
        const gains = new Map(ids.map((q) => [q, evals[i + 1].perQuery.get(q)![metrics[0]] - evals[0].perQuery.get(q)![metrics[0]]]));
        return {
          baseline: systems[0].id,
          system: s.id,
          metrics: comparePaired(evals[0], evals[i + 1], qrels, { permutations: 500, bootstrapSamples: 500, seed }),
          lengthAnalysis: gainByQueryLength(queries, gains),
        };
      }),
      invariantViolations: [],
    };
  });
  holmAdjust(datasets.flatMap((d) => d.comparisons.flatMap((c) => c.metrics)));
  const results = {
    schemaVersion: SCHEMA_VERSION,
    runId: f.runId,
    startedAt: '2026-12-01T12:00:00.000Z',
    seconds: 1,
    environment: { node: 'v20.19.0', platform: 'linux', arch: 'x64', cpus: 2, packages: { 'beir-bench': '0.1.0' } },
    config: {
      datasets: f.datasets.map((d) => d.name), split: 'test', k: 10, metrics, ignoreIdenticalIds: true, datasetCacheDir: 'datasets',
      embeddingCacheDir: null, outDir: 'results', seed, permutations: 500,
    },
    systems,
    passages: { encoded: 0, fromCache: 0 },
    datasets,
  };
  // Round-trip through JSON as a file would, and hold the fixture to the schema.
  return checkResults(JSON.parse(JSON.stringify(results)), `${f.runId}/results.json`);
}

/**
 * No published scores: the fixtures' scores are synthetic, so a Published column beside them would only be noise
 * in layout tests. The Published column is tested on real runs (test/report/published-column.test.ts).
 */
export const NO_PUBLISHED: PublishedRegistry = { file: '(none)', tolerance: {}, models: [] };

import { DEFAULT_AUDIT_PASSAGES } from '../audit/audit.js';
import type { Argv } from 'yargs';
import type { BenchConfig } from '../bench/config.js';
import { checkSweepWeights, isSweepable } from '../bench/fusion-sweep.js';
import { runBench } from '../bench/run-bench.js';
import { UserError } from '../errors.js';
import { defaultMaxMemory, formatBytes, parseMemorySize } from '../memory-budget.js';
import { DEFAULT_SEED } from '../eval/compare.js';
import { deepestCutoff, DEFAULT_CUTOFF, displayName, headlineMetrics, measureOf, parseMetricName, type MetricName } from '../eval/metrics.js';
import { getModel } from '../models/registry.js';
import { buildReportTable, comparedPairs, DEFAULT_EXTRA_COLUMNS, reportNotes } from '../report/comparison-rows.js';
import { renderTerminal } from '../report/render.js';
import { renderReport, runReports } from '../report/report-files.js';
import { writeRunFolder } from '../results/run-folder.js';
import { parseArms } from '../systems/arms.js';
import { buildSystems } from '../systems/build.js';
import { resolveComparisons, selectSystems, type ComparisonPair } from '../systems/comparisons.js';
import { readSystemsFile } from '../systems/systems-file.js';
import type { SystemSpec } from '../systems/system.js';
import { BACKENDS, BACKEND_NAMES, DEFAULT_BACKEND, engineOptionsFrom, groupEngineOptions, withEngineOptions } from '../engines/registry.js';
import { withDatasetOptions, datasetOptionsFrom } from './dataset-options.js';
import { withModelOptions, modelOptionsFrom, type ModelOptions } from './model-options.js';
import { remoteEncoderOptionsFrom, withRemoteEncoderOptions, type RemoteEncoderOptions } from './encoder-options.js';
import { checkPositiveIntegers } from '../option-checks.js';
import { defineCommand, type ArgsOf } from './define-command.js';

const DEFAULT_ARMS = 'symmetric,asymmetric';

function withBenchOptions<T>(y: Argv<T>) {
  return y
    .option('arms', {
      type: 'string',
      // Repeating --arms adds to the list, as repeating --dataset does.
      coerce: (v: string | string[]) => (Array.isArray(v) ? v.join(',') : v),
      defaultDescription: DEFAULT_ARMS,
      describe:
        'Comma-separated systems; the first is the baseline the others are compared to. Short names apply to --model: ' +
        'symmetric = no prefix on either side; asymmetric = the model\'s query/passage prefixes; symmetric-query / ' +
        'symmetric-passage = one of its prefixes on both sides; bm25 = lexical BM25 baseline. MODEL:POLICY names another ' +
        'model, e.g. sentence-transformers/all-MiniLM-L6-v2:symmetric,intfloat/e5-small-v2:asymmetric,bm25. ' +
        'hybrid(A+B[,OPTION...]) fuses arms: rrf (default; k=60) or linear (norm=min-max|l2, mean=arithmetic|harmonic|geometric, ' +
        'weights=0.3/0.7), depth=100 hits per component; embedded, or OpenSearch\'s hybrid query with --backend opensearch (docs/FUSION.md)',
    })
    .option('fusion-weights', {
      type: 'string',
      describe:
        'Comma-separated weights of the first component, e.g. 0.1,0.3,0.5,0.7,0.9: re-fuse each linear two-component hybrid at each ' +
        '(the second gets 1 - w) and report the curve. Picking the best point of a test-query curve is optimistic: see --tune-split',
    })
    .option('tune-split', {
      type: 'string',
      describe:
        'With --fusion-weights: also sweep on another split\'s queries and report the test score at the weight they pick. ' +
        'Comma-separated candidates, the first a dataset has qrels for is used: dev,train serves NFCorpus (dev) and SciFact (train)',
    })
    .option('systems', {
      type: 'string',
      describe: 'YAML file declaring the systems (models with their settings, prefixes, dtype, engine); see docs/SYSTEMS.md. Replaces --arms',
    })
    .option('only', {
      type: 'string',
      describe:
        'With --systems: run only these of its systems (comma-separated ids, e.g. e5-small-v2.symmetric,bm25), keeping the ' +
        'pairs its comparisons name between them; one systems file then serves runs of different parts (docs/SYSTEMS.md)',
    })
    .option('k', {
      type: 'number',
      default: DEFAULT_CUTOFF,
      describe:
        'Cutoff of the headline measures NDCG@k, MAP@k and Recall@k, of the HNSW-vs-exact overlap and of the deployment audit ' +
        '(--k 20 or -k 20). How deep runs are retrieved follows every cutoff reported: see --depth',
    })
    .option('metrics', {
      type: 'string',
      describe:
        'Extra metrics beyond NDCG@k, MAP@k, Recall@k (trec_eval names or NDCG@10 style, comma-separated), e.g. P@10,MRR@10,Recall@100. ' +
        'Runs are retrieved as deep as the deepest cutoff, so Recall@100 counts 100 hits whatever -k is',
    })
    .option('depth', {
      type: 'number',
      defaultDescription: 'the deepest cutoff of -k and --metrics',
      describe:
        'Hits kept per query: retrieved (one more when self hits are dropped), scored and written to runs/*.trec. Deeper than ' +
        'the cutoffs for run files to re-score later (e.g. 100 for eval\'s Recall@100); never shallower than a reported cutoff',
    })
    .option('backend', {
      choices: BACKEND_NAMES,
      default: DEFAULT_BACKEND,
      describe:
        'Where --arms systems run (and the default engine of --systems entries): ' +
        BACKENDS.map((b) => `${b.name} = ${b.help}`).join('; ') +
        '; docs/OPENSEARCH.md, docs/ARCHITECTURE.md',
    })
    .option('opensearch-model-id', {
      type: 'string',
      describe:
        'With --backend opensearch-ml: benchmark this ml-commons model, already deployed in your cluster, instead of one the harness ' +
        'creates; passages and queries are sent with content_type passage/query as the asymmetric-models article does',
    })
    .option('audit-passages', {
      type: 'number',
      default: DEFAULT_AUDIT_PASSAGES,
      describe:
        'opensearch-ml systems: the deployment audit compares the vectors the cluster produced for this many sampled passages ' +
        '(and every query) with the local encoder\'s, runs the client-embedded system beside it, and names the mistake when they ' +
        'disagree (docs/AUDIT.md); 0 skips the audit',
    })
    .option('ignore-identical-ids', {
      type: 'boolean',
      default: true,
      describe: 'Drop a retrieved doc whose id equals the query id (BEIR default; matters for ArguAna). --no-ignore-identical-ids keeps them',
    })
    .option('max-queries', { type: 'number', describe: 'Smoke runs: score N test queries, picked by a seeded hash of their ids (the same ones whatever the file order)' })
    .option('max-docs', {
      type: 'number',
      describe: 'Smoke runs: index at most N passages: the kept queries\' relevant docs, then others picked by a seeded hash of their ids',
    })
    .option('out', { type: 'string', default: 'results', describe:
        'Folder receiving results/<run-id>/ (results.json, report.md, report.html, chart SVGs, TREC run files); a run never replaces ' +
        'another\'s folder: a run id already taken (same second, same inputs) gets -2, -3, ...',
    })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'Seed of the randomization test and bootstrap (same seed, same p-values)' })
    .option('permutations', { type: 'number', default: 10000, describe: 'Permutations of the randomization test, and bootstrap samples' })
    .option('format', { choices: ['table', 'markdown', 'json'] as const, default: 'table' as const, describe: 'What to print on stdout: terminal table, the markdown report, or results.json' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output on stderr' })
    .option('max-memory', {
      type: 'string',
      defaultDescription: `half of this machine's memory, ${formatBytes(defaultMaxMemory())} here`,
      describe:
        'Memory budget, e.g. 8G or 512M: sizes exact-search blocks, and a configuration that cannot fit (an embedded BM25 index ' +
        'too large for it) stops at once with the reason instead of running out of memory (docs/PERFORMANCE.md)',
    })
    .check((a) => {
      if (a['max-memory'] !== undefined) parseMemorySize(String(a['max-memory']));
      if (a.systems !== undefined && a.arms !== undefined) throw new UserError('--systems and --arms both name the systems: give one of them');
      if (Array.isArray(a.systems)) throw new UserError('--systems takes one file: declare every system in it');
      if (a.only !== undefined && a.systems === undefined) throw new UserError('--only picks systems of a --systems file: give the file too');
      const audit = a['audit-passages'];
      if (!Number.isInteger(audit) || audit < 0) throw new UserError(`--audit-passages must be 0 (no audit) or a positive integer, got ${audit}`);
      return checkPositiveIntegers(a, ['k', 'depth', 'max-queries', 'max-docs', 'permutations']);
    });
}

function builder(y: Argv) {
  const options = withBenchOptions(withEngineOptions(withRemoteEncoderOptions(withModelOptions(withDatasetOptions(y, { required: true })))))
    .group(['dataset', 'split', 'data-dir', 'cache-dir', 'mirror', 'max-queries', 'max-docs'], 'Datasets:')
    .group(['arms', 'systems', 'only', 'backend', 'opensearch-model-id', 'audit-passages', 'fusion-weights', 'tune-split'], 'Systems:')
    .group(['model', 'query-prefix', 'passage-prefix', 'pooling', 'normalize', 'max-length', 'dimension', 'models-dir', 'dtype'], 'Model (of --arms short names):')
    .group(['embed-cache-dir', 'cache', 'threads', 'batch-size', 'batch-tokens'], 'Encoding:')
    .group(['max-memory'], 'Resources:')
    .group(['k', 'metrics', 'depth', 'ignore-identical-ids', 'seed', 'permutations'], 'Scoring and statistics:');
  return groupEngineOptions(options)
    .group(['out', 'format', 'quiet'], 'Output:')
    .example('$0 bench --dataset scifact', 'Symmetric vs asymmetric e5-small-v2 on SciFact, embedded exact search')
    .example('$0 bench --dataset seed --data-dir ../shared/beir', 'Offline: local BEIR folders, models provisioned in ~/.cache/beir-bench/models')
    .example('$0 bench --dataset scifact --arms bm25 --metrics Recall@100', 'Recall@100 from 100 hits per query (runs follow the deepest cutoff)')
    .example(
      '$0 bench --dataset scifact --arms sentence-transformers/all-MiniLM-L6-v2:symmetric,intfloat/e5-small-v2:asymmetric,bm25',
      'A truly symmetric model, asymmetric E5 and BM25 in one table',
    )
    .example('$0 bench --dataset nfcorpus --arms symmetric,asymmetric,bm25 --backend opensearch', 'Against an OpenSearch cluster, with a BM25 baseline')
    .example('$0 bench --dataset scifact --backend opensearch-ml', 'The article\'s flow: the cluster embeds (ml-commons pipelines) through a loopback beir-bench serve');
}

type BenchArgs = ArgsOf<typeof builder>;

/** The run's systems, from --systems or --arms, and the comparisons a systems file names (absent: every system against the first). */
async function systemsFrom(a: BenchArgs, mo: ModelOptions, ro: RemoteEncoderOptions): Promise<{ systems: SystemSpec[]; comparisons?: ComparisonPair[] }> {
  const modelId = a['opensearch-model-id'];
  if (modelId !== undefined) {
    if (a.backend !== 'opensearch-ml') throw new UserError('--opensearch-model-id names a model the cluster embeds with: give --backend opensearch-ml too');
    if (ro.spec) throw new UserError('--opensearch-model-id and --encoder-url both say what embeds: give one of them');
    if (modelId.trim() === '') throw new UserError('--opensearch-model-id is empty');
  }
  const clusterModel = modelId !== undefined ? ({ kind: 'opensearch-model', modelId: modelId.trim() } as const) : undefined;
  if (a.systems !== undefined) {
    const file = await readSystemsFile(a.systems, { dtype: mo.dtype, backend: a.backend, cliModels: [mo.model], remote: ro.spec, asymmetry: ro.asymmetry, clusterModel });
    const systems = buildSystems(file.systems);
    const comparisons = file.comparisons.length ? resolveComparisons(file.comparisons, systems) : undefined;
    if (a.only === undefined) return { systems, ...(comparisons ? { comparisons } : {}) };
    const only = String(a.only).split(',').map((id) => id.trim()).filter((id) => id !== '');
    if (only.length === 0) throw new UserError('--only is empty: name the systems to run (comma-separated ids)');
    const picked = selectSystems(systems, comparisons, only, `--only (${a.systems})`);
    return { systems: picked.systems, ...(picked.comparisons ? { comparisons: picked.comparisons } : {}) };
  }
  const isCliModel = (id: string) => [mo.model.id, mo.model.onnxRepo].some((x) => x.toLowerCase() === id.trim().toLowerCase());
  const systems = buildSystems(
    parseArms(a.arms ?? DEFAULT_ARMS, {
      model: mo.model,
      encoder: clusterModel ?? ro.spec ?? { kind: 'local', dtype: mo.dtype },
      backend: a.backend,
      resolveModel: (id) => (isCliModel(id) ? mo.model : getModel(id)),
    }),
  );
  return { systems };
}

/** --fusion-weights and --tune-split, checked against the run's systems. */
function fusionSweepOptions(a: BenchArgs, systems: readonly SystemSpec[], split: string): Pick<BenchConfig, 'fusionWeights' | 'tuneSplits'> {
  const given = a['fusion-weights'];
  if (given === undefined) {
    if (a['tune-split'] !== undefined) throw new UserError('--tune-split picks a weight of --fusion-weights: give both');
    return {};
  }
  const items = String(given).split(',').map((x) => x.trim());
  const weights = items.map(Number);
  const bad = items.find((x, i) => x === '' || !Number.isFinite(weights[i]));
  if (bad !== undefined) throw new UserError(`--fusion-weights takes numbers like 0.1,0.3,0.5, got "${given}"`);
  try {
    checkSweepWeights(weights);
  } catch (err) {
    throw err instanceof UserError ? new UserError(`--fusion-weights: ${err.message}`) : err;
  }
  if (!systems.some(isSweepable)) {
    throw new UserError('--fusion-weights re-fuses linear hybrids of two components fused in process: add one, e.g. --arms bm25,asymmetric,"hybrid(bm25+asymmetric,linear)"');
  }
  const tuneSplits = a['tune-split']?.split(',').map((s) => s.trim()).filter(Boolean);
  if (tuneSplits?.includes(split)) throw new UserError(`--tune-split ${a['tune-split']} names ${split}, the split being measured: tune on another one (e.g. dev or train)`);
  return { fusionWeights: [...new Set(weights)], ...(tuneSplits?.length ? { tuneSplits } : {}) };
}

/** --depth, refused when shallower than a cutoff the run reports (absent, the run depth is the deepest cutoff: cut-run.ts). */
function checkDepth(depth: number, metrics: readonly MetricName[]): number {
  const deepest = deepestCutoff(metrics);
  if (depth < deepest) {
    const m = metrics.find((x) => measureOf(x).k === deepest)!;
    throw new UserError(`--depth ${depth} is shallower than ${displayName(m)}: keep at least ${deepest} hits per query, or leave --depth out`);
  }
  return depth;
}

export async function benchConfigFrom(a: BenchArgs): Promise<BenchConfig> {
  const k = a.k;
  const base = headlineMetrics(k);
  const extra = (a.metrics ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseMetricName);
  const metrics = [...new Set([...base, ...extra])];
  const ds = datasetOptionsFrom(a);
  const mo = modelOptionsFrom(a);
  const ro = remoteEncoderOptionsFrom(a);
  const { systems, comparisons } = await systemsFrom(a, mo, ro);
  const usesRemote = systems.some((s) => s.kind === 'dense' && s.encoder.kind === 'remote');
  return {
    datasets: ds.datasets,
    split: ds.split,
    dataDir: ds.dataDir,
    datasetCacheDir: ds.cacheDir,
    mirror: ds.mirror,
    systems,
    ...(comparisons ? { comparisons } : {}),
    modelsDir: mo.modelsDir,
    embeddingCacheDir: mo.cacheDir,
    threads: mo.threads,
    batchSize: mo.batchSize,
    batchTokens: mo.batchTokens,
    device: mo.device,
    remote: usesRemote ? ro.transport : undefined,
    ...fusionSweepOptions(a, systems, ds.split),
    k,
    metrics,
    ...(a.depth !== undefined && { depth: checkDepth(a.depth, metrics) }),
    ignoreIdenticalIds: a['ignore-identical-ids'],
    maxQueries: a['max-queries'],
    maxDocs: a['max-docs'],
    ...(a['max-memory'] !== undefined && { maxMemory: a['max-memory'] }),
    outDir: a.out,
    seed: a.seed,
    permutations: a.permutations,
    auditPassages: a['audit-passages'],
    engineOptions: engineOptionsFrom(a, systems),
    quiet: a.quiet,
  };
}

export const benchCommand = defineCommand({
  command: 'bench',
  describe: 'Index each dataset once per system, run its test queries, and compare the systems (NDCG@k, MAP@k, Recall@k)',
  builder,
  handler: async (a) => {
    const cfg = await benchConfigFrom(a);
    const outcome = await runBench(cfg);
    const { results, dir, companions: { model } } = await writeRunFolder(outcome, runReports);
    if (a.format === 'json') {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else if (a.format === 'markdown') {
      process.stdout.write(await renderReport(model, 'md'));
    } else {
      // A terminal is narrow: with several comparisons, only their changes go in the table (CIs and p-values are
      // in the notes below it, and in report.md / report.html).
      const extras = comparedPairs(model).length > 1 ? [] : DEFAULT_EXTRA_COLUMNS;
      process.stdout.write(`${renderTerminal(buildReportTable(model, extras))}\n${reportNotes(model).join('\n')}\n`);
    }
    const { encoded, fromCache } = results.passages;
    process.stderr.write(`Embedding: ${encoded} passages encoded, ${fromCache} from cache. Finished in ${outcome.seconds.toFixed(1)}s. Results: ${dir}\n`);
  },
});

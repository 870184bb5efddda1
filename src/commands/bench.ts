import type { Argv } from 'yargs';
import type { BenchConfig } from '../bench/config.js';
import { runBench } from '../bench/run-bench.js';
import { UserError } from '../errors.js';
import { DEFAULT_SEED } from '../eval/compare.js';
import { metricName, parseMetricName } from '../eval/metrics.js';
import { getModel } from '../models/registry.js';
import { buildReportTable, comparedPairs, DEFAULT_EXTRA_COLUMNS, reportNotes } from '../report/comparison-rows.js';
import { renderTerminal } from '../report/render.js';
import { renderReport } from '../report/report-files.js';
import { writeOutputs } from '../report/write-outputs.js';
import { parseArms } from '../systems/arms.js';
import { buildSystems } from '../systems/build.js';
import { readSystemsFile } from '../systems/systems-file.js';
import type { SystemSpec } from '../systems/system.js';
import { withDatasetOptions, datasetOptionsFrom } from './dataset-options.js';
import { withModelOptions, modelOptionsFrom, type ModelOptions } from './model-options.js';
import { remoteEncoderOptionsFrom, withRemoteEncoderOptions, type RemoteEncoderOptions } from './encoder-options.js';
import { checkPositiveIntegers } from './option-checks.js';
import { withOpenSearchOptions, openSearchOptionsFrom } from './opensearch-options.js';
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
        'model, e.g. sentence-transformers/all-MiniLM-L6-v2:symmetric,intfloat/e5-small-v2:asymmetric,bm25',
    })
    .option('systems', {
      type: 'string',
      describe: 'YAML file declaring the systems (models with their settings, prefixes, dtype, engine); see docs/SYSTEMS.md. Replaces --arms',
    })
    .option('k', { type: 'number', default: 10, describe: 'Cutoff for NDCG@k, MAP@k and Recall@k, and hits retrieved per query (--k 20 or -k 20)' })
    .option('metrics', {
      type: 'string',
      describe: 'Extra metrics beyond NDCG@k, MAP@k, Recall@k (trec_eval names or NDCG@10 style, comma-separated), e.g. P@10,MRR@10,Recall@100',
    })
    .option('backend', {
      choices: ['embedded', 'opensearch'] as const,
      default: 'embedded' as const,
      describe: 'Where --arms systems run (and the default engine of --systems entries): in-process exact search and BM25, or an OpenSearch cluster (HNSW, BM25)',
    })
    .option('ignore-identical-ids', {
      type: 'boolean',
      default: true,
      describe: 'Drop a retrieved doc whose id equals the query id (BEIR default; matters for ArguAna). --no-ignore-identical-ids keeps them',
    })
    .option('max-queries', { type: 'number', describe: 'Smoke runs: score only the first N test queries' })
    .option('max-docs', { type: 'number', describe: 'Smoke runs: index at most N passages (the kept queries\' relevant docs are always included)' })
    .option('out', { type: 'string', default: 'results', describe: 'Folder receiving results/<run-id>/ (results.json, report.md, report.html, chart SVGs, TREC run files)' })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'Seed of the randomization test and bootstrap (same seed, same p-values)' })
    .option('permutations', { type: 'number', default: 10000, describe: 'Permutations of the randomization test, and bootstrap samples' })
    .option('format', { choices: ['table', 'markdown', 'json'] as const, default: 'table' as const, describe: 'What to print on stdout: terminal table, the markdown report, or results.json' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output on stderr' })
    .check((a) => {
      if (a.systems !== undefined && a.arms !== undefined) throw new UserError('--systems and --arms both name the systems: give one of them');
      if (Array.isArray(a.systems)) throw new UserError('--systems takes one file: declare every system in it');
      return checkPositiveIntegers(a, ['k', 'max-queries', 'max-docs', 'permutations']);
    });
}

function builder(y: Argv) {
  return withBenchOptions(withOpenSearchOptions(withRemoteEncoderOptions(withModelOptions(withDatasetOptions(y, { required: true })))))
    .group(['dataset', 'split', 'data-dir', 'cache-dir', 'mirror', 'max-queries', 'max-docs'], 'Datasets:')
    .group(['arms', 'systems', 'backend'], 'Systems:')
    .group(['model', 'query-prefix', 'passage-prefix', 'pooling', 'normalize', 'max-length', 'dimension', 'models-dir', 'dtype'], 'Model (of --arms short names):')
    .group(['embed-cache-dir', 'cache', 'threads', 'batch-size', 'batch-tokens'], 'Encoding:')
    .group(['k', 'metrics', 'ignore-identical-ids', 'seed', 'permutations'], 'Scoring and statistics:')
    .group(
      ['opensearch-url', 'opensearch-ca', 'opensearch-insecure', 'engine', 'hnsw-m', 'ef-construction', 'ef-search', 'recreate', 'bulk-concurrency', 'bulk-size', 'index-prefix'],
      'OpenSearch (opensearch-* engines):',
    )
    .group(['out', 'format', 'quiet'], 'Output:')
    .example('$0 bench --dataset scifact', 'Symmetric vs asymmetric e5-small-v2 on SciFact, embedded exact search')
    .example('$0 bench --dataset seed --data-dir ../shared/beir --models-dir ~/.cache/beir-bench/models', 'Offline: local BEIR folders and model folders')
    .example(
      '$0 bench --dataset scifact --arms sentence-transformers/all-MiniLM-L6-v2:symmetric,intfloat/e5-small-v2:asymmetric,bm25',
      'A truly symmetric model, asymmetric E5 and BM25 in one table',
    )
    .example('$0 bench --dataset nfcorpus --arms symmetric,asymmetric,bm25 --backend opensearch', 'Against an OpenSearch cluster, with a BM25 baseline');
}

type BenchArgs = ArgsOf<typeof builder>;

/** The run's systems, from --systems or --arms. */
async function systemsFrom(a: BenchArgs, mo: ModelOptions, ro: RemoteEncoderOptions): Promise<SystemSpec[]> {
  if (a.systems !== undefined) {
    return buildSystems(
      await readSystemsFile(a.systems, { dtype: mo.dtype, backend: a.backend, cliModels: [mo.model], remote: ro.spec, asymmetry: ro.asymmetry }),
    );
  }
  const isCliModel = (id: string) => [mo.model.id, mo.model.onnxRepo].some((x) => x.toLowerCase() === id.trim().toLowerCase());
  return buildSystems(
    parseArms(a.arms ?? DEFAULT_ARMS, {
      model: mo.model,
      encoder: ro.spec ?? { kind: 'local', dtype: mo.dtype },
      backend: a.backend,
      resolveModel: (id) => (isCliModel(id) ? mo.model : getModel(id)),
    }),
  );
}

export async function benchConfigFrom(a: BenchArgs): Promise<BenchConfig> {
  const k = a.k;
  const base = [metricName('ndcg_cut', k), metricName('map_cut', k), metricName('recall', k)];
  const extra = (a.metrics ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseMetricName);
  const ds = datasetOptionsFrom(a);
  const mo = modelOptionsFrom(a);
  const ro = remoteEncoderOptionsFrom(a);
  const systems = await systemsFrom(a, mo, ro);
  const usesOpenSearch = systems.some((s) => s.engine.startsWith('opensearch'));
  const usesRemote = systems.some((s) => s.kind === 'dense' && s.encoder.kind === 'remote');
  return {
    datasets: ds.datasets,
    split: ds.split,
    dataDir: ds.dataDir,
    datasetCacheDir: ds.cacheDir,
    mirror: ds.mirror,
    systems,
    modelsDir: mo.modelsDir,
    embeddingCacheDir: mo.cacheDir,
    threads: mo.threads,
    batchSize: mo.batchSize,
    batchTokens: mo.batchTokens,
    device: mo.device,
    remote: usesRemote ? ro.transport : undefined,
    k,
    metrics: [...new Set([...base, ...extra])],
    ignoreIdenticalIds: a['ignore-identical-ids'],
    maxQueries: a['max-queries'],
    maxDocs: a['max-docs'],
    outDir: a.out,
    seed: a.seed,
    permutations: a.permutations,
    opensearch: usesOpenSearch ? openSearchOptionsFrom(a) : undefined,
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
    const { results, model, dir } = await writeOutputs(outcome);
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

import type { Argv } from 'yargs';
import type { BenchConfig } from '../bench/config.js';
import { passageCounts, runBench, type BenchOutcome } from '../bench/run-bench.js';
import { UserError } from '../errors.js';
import { DEFAULT_SEED } from '../eval/compare.js';
import { parseMetricName } from '../eval/metrics.js';
import { parseArms } from '../models/arms.js';
import { buildReportTable, reportNotes } from '../report/comparison-rows.js';
import { renderTerminal } from '../report/render.js';
import { reportMarkdown, resultsJson, writeOutputs } from '../report/write-outputs.js';
import { withDatasetOptions, datasetOptionsFrom } from './dataset-options.js';
import { withModelOptions, modelOptionsFrom } from './model-options.js';
import { withOpenSearchOptions, openSearchOptionsFrom } from './opensearch-options.js';
import { defineCommand, type ArgsOf } from './define-command.js';

function withBenchOptions<T>(y: Argv<T>) {
  return y
    .option('arms', {
      type: 'string',
      default: 'symmetric,asymmetric',
      describe:
        'Comma-separated arms; the first is the baseline the others are compared to. ' +
        'symmetric = no prefix on either side; asymmetric = the model\'s query/passage prefixes; ' +
        'symmetric-query = the query prefix on both sides; bm25 = lexical BM25 baseline',
    })
    .option('k', { type: 'number', default: 10, describe: 'Cutoff for NDCG@k, MAP@k and Recall@k, and hits retrieved per query (--k 20 or -k 20)' })
    .option('metrics', {
      type: 'string',
      describe: 'Extra metrics beyond NDCG@k, MAP@k, Recall@k (trec_eval names or NDCG@10 style, comma-separated), e.g. P@10,MRR@10,Recall@100',
    })
    .option('backend', { choices: ['embedded', 'opensearch'] as const, default: 'embedded' as const, describe: 'Search engine: in-process exact search, or an OpenSearch cluster (HNSW)' })
    .option('ignore-identical-ids', {
      type: 'boolean',
      default: true,
      describe: 'Drop a retrieved doc whose id equals the query id (BEIR default; matters for ArguAna). --no-ignore-identical-ids keeps them',
    })
    .option('max-queries', { type: 'number', describe: 'Smoke runs: score only the first N test queries' })
    .option('max-docs', { type: 'number', describe: 'Smoke runs: index at most N passages (the kept queries\' relevant docs are always included)' })
    .option('out', { type: 'string', default: 'results', describe: 'Folder receiving results/<run-id>/ (results.json, report.md, TREC run files)' })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'Seed of the randomization test and bootstrap (same seed, same p-values)' })
    .option('permutations', { type: 'number', default: 10000, describe: 'Permutations of the randomization test, and bootstrap samples' })
    .option('format', { choices: ['table', 'markdown', 'json'] as const, default: 'table' as const, describe: 'What to print on stdout: terminal table, the markdown report, or results.json' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output on stderr' })
    .check((a) => {
      if (!Number.isInteger(a.k) || a.k < 1) throw new UserError(`--k must be a positive integer (got ${a.k})`);
      for (const opt of ['max-queries', 'max-docs', 'permutations'] as const) {
        const v = a[opt];
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserError(`--${opt} must be a positive integer (got ${v})`);
      }
      return true;
    });
}

function builder(y: Argv) {
  return withBenchOptions(withOpenSearchOptions(withModelOptions(withDatasetOptions(y, { required: true }))))
    .example('$0 bench --dataset scifact', 'Symmetric vs asymmetric e5-small-v2 on SciFact, embedded exact search')
    .example('$0 bench --dataset seed --data-dir ../shared/beir --models-dir ~/.cache/beir-bench/models', 'Offline: local BEIR folders and model folders')
    .example('$0 bench --dataset nfcorpus --arms symmetric,asymmetric,bm25 --backend opensearch', 'Against an OpenSearch cluster, with a BM25 baseline');
}

type BenchArgs = ArgsOf<typeof builder>;

export function benchConfigFrom(a: BenchArgs): BenchConfig {
  const k = a.k;
  const base = [`ndcg_cut.${k}`, `map_cut.${k}`, `recall.${k}`];
  const extra = (a.metrics ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseMetricName);
  const ds = datasetOptionsFrom(a);
  const mo = modelOptionsFrom(a);
  const model = mo.model;
  return {
    datasets: ds.datasets,
    split: ds.split,
    dataDir: ds.dataDir,
    datasetCacheDir: ds.cacheDir,
    mirror: ds.mirror,
    model,
    dtype: mo.dtype,
    modelsDir: mo.modelsDir,
    embeddingCacheDir: mo.cacheDir,
    threads: mo.threads,
    batchSize: mo.batchSize,
    batchTokens: mo.batchTokens,
    arms: parseArms(a.arms),
    k,
    metrics: [...new Set([...base, ...extra])],
    backend: a.backend,
    ignoreIdenticalIds: a['ignore-identical-ids'],
    maxQueries: a['max-queries'],
    maxDocs: a['max-docs'],
    outDir: a.out,
    seed: a.seed,
    permutations: a.permutations,
    opensearch: a.backend === 'opensearch' ? openSearchOptionsFrom(a, model) : undefined,
    quiet: a.quiet,
  };
}

function embeddingSummary(o: BenchOutcome): string {
  const { encoded, fromCache } = passageCounts(o.datasets);
  return `Embedding: ${encoded} passages encoded, ${fromCache} from cache.`;
}

export const benchCommand = defineCommand({
  command: 'bench',
  describe: 'Index each dataset once per arm, run its test queries, and compare the arms (NDCG@k, MAP@k, Recall@k)',
  builder,
  handler: async (a) => {
    const cfg = benchConfigFrom(a);
    const outcome = await runBench(cfg);
    const { runId, dir } = await writeOutputs(outcome);
    if (a.format === 'json') {
      process.stdout.write(`${JSON.stringify(await resultsJson(outcome, runId), null, 2)}\n`);
    } else if (a.format === 'markdown') {
      process.stdout.write(reportMarkdown(outcome, runId));
    } else {
      process.stdout.write(`${renderTerminal(buildReportTable(outcome))}\n${reportNotes(outcome).join('\n')}\n`);
    }
    process.stderr.write(`${embeddingSummary(outcome)} Finished in ${outcome.seconds.toFixed(1)}s. Results: ${dir}\n`);
  },
});

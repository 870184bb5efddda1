import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { passageCounts, type BenchOutcome } from '../bench/run-bench.js';
import { redactUrl } from '../backends/opensearch-client.js';
import { tempPathFor, withTempPath } from '../atomic-file.js';
import { getDataset } from '../datasets/registry.js';
import { writeRunFile } from '../eval/run-file.js';
import { buildReportTable, reportNotes } from './comparison-rows.js';
import { renderMarkdown } from './render.js';

/** src/report/ and dist/report/ both sit two levels below the package root. */
const PACKAGE_ROOT = new URL('../../', import.meta.url);

async function packageVersion(name: string, root = PACKAGE_ROOT): Promise<string | null> {
  const file = name === 'beir-bench' ? new URL('package.json', root) : new URL(`node_modules/${name}/package.json`, root);
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

const RECORDED_PACKAGES = ['beir-bench', '@huggingface/transformers', 'onnxruntime-node', '@opensearch-project/opensearch'];

/** `20261125-174501-scifact-e5-small-v2`: sortable, and says what ran. */
export function makeRunId(outcome: BenchOutcome): string {
  const stamp = outcome.startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const sets = outcome.config.datasets.length > 3 ? `${outcome.config.datasets.length}-datasets` : outcome.config.datasets.join('+');
  const model = outcome.config.model.id.split('/').pop();
  return `${stamp}-${sets}-${model}`.replace(/[^A-Za-z0-9+._-]/g, '_');
}

const runFileName = (dataset: string, arm: string) => `${dataset}.${arm}.trec`;

const mapToObject = <V>(m: Map<string, V>): Record<string, V> => Object.fromEntries(m);

/** results.json: the full configuration, provenance, and every per-query score (full double precision). */
export async function resultsJson(outcome: BenchOutcome, runId: string): Promise<unknown> {
  const packages: Record<string, string | null> = {};
  for (const p of RECORDED_PACKAGES) packages[p] = await packageVersion(p);
  return {
    runId,
    startedAt: outcome.startedAt,
    seconds: outcome.seconds,
    passages: passageCounts(outcome.datasets),
    environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, packages },
    // A URL may carry user:password; results are shared, credentials never are.
    config: { ...outcome.config, opensearch: outcome.config.opensearch && { ...outcome.config.opensearch, url: redactUrl(outcome.config.opensearch.url) } },
    encoder: outcome.encoder,
    backend: outcome.backend,
    datasets: outcome.datasets.map((d) => ({
      name: d.name,
      displayName: d.displayName,
      officialZipMd5: getDataset(d.name).md5,
      ...d.data,
      stats: d.stats,
      timings: d.timings,
      arms: d.arms.map((a) => ({
        arm: a.arm,
        inputs: a.inputs,
        timings: a.timings,
        runFile: `runs/${runFileName(d.name, a.arm)}`,
        mean: a.eval.mean,
        queriesScored: a.eval.queriesScored,
        qrelsQueriesMissingFromRun: a.eval.qrelsQueriesMissingFromRun,
        runQueriesWithoutQrels: a.eval.runQueriesWithoutQrels,
        approximation: a.approximation,
        perQuery: mapToObject(a.eval.perQuery),
      })),
      comparisons: d.comparisons,
      invariantViolations: d.invariantViolations,
    })),
  };
}

export function reportMarkdown(outcome: BenchOutcome, runId: string): string {
  const cfg = outcome.config;
  const notes = reportNotes(outcome);
  return [
    `# beir-bench ${runId}`,
    '',
    `Model \`${cfg.model.id}\` (${cfg.dtype}), backend \`${cfg.backend}\`, split \`${cfg.split}\`, k = ${cfg.k}, ` +
      `ignore identical ids ${cfg.ignoreIdenticalIds ? 'on' : 'off'}, ${cfg.permutations} permutations (seed ${cfg.seed}).`,
    '',
    renderMarkdown(buildReportTable(outcome)),
    '',
    'Change = relative change of the mean against the first arm; 95% CI = paired bootstrap interval of the mean difference; ' +
      'p = paired two-sided randomization test, Holm-adjusted across every metric and dataset of this report. † = see notes.',
    '',
    ...notes.map((n) => (n.startsWith('  ') ? `- ${n.trim()}` : `\n**${n}**\n`)),
    '',
  ].join('\n');
}

/**
 * Write results/<run-id>/ as a whole: everything goes into a hidden temp folder first and is renamed
 * into place at the end, so a failure never leaves a half-written result folder behind.
 */
export async function writeOutputs(outcome: BenchOutcome): Promise<{ runId: string; dir: string }> {
  const runId = makeRunId(outcome);
  const dir = join(outcome.config.outDir, runId);
  const tmp = tempPathFor(dir);
  await withTempPath(tmp, async () => {
    await mkdir(join(tmp, 'runs'), { recursive: true });
    const tag = `beir-bench.${outcome.config.model.id.split('/').pop()}`;
    for (const d of outcome.datasets) {
      for (const a of d.arms) {
        await writeRunFile(join(tmp, 'runs', runFileName(d.name, a.arm)), a.run, `${tag}.${a.arm}`);
      }
    }
    await writeFile(join(tmp, 'results.json'), `${JSON.stringify(await resultsJson(outcome, runId), null, 2)}\n`);
    await writeFile(join(tmp, 'report.md'), reportMarkdown(outcome, runId));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  });
  return { runId, dir };
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { appendWhole, checkUnchanged, pathState, writeFileIfUnchanged, type PathState } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { withLock } from '../file-lock.js';
import { DEFAULT_SEED } from '../eval/compare.js';
import { parseMetricName } from '../eval/metrics.js';
import { checkBaselines, type Baselines } from '../regress/baselines.js';
import { checkEntry, type ConditionCheck } from '../regress/check.js';
import { appendHistory, gitState, historyRecords, readHistory, type HistoryRecord } from '../regress/history.js';
import { historyChartSvg, historyPoints, historyTable } from '../regress/history-chart.js';
import { junitXml } from '../regress/junit.js';
import { readMatrix, type RegressionMatrix } from '../regress/matrix.js';
import { regressNotes, regressTable, summaryLine, summaryMarkdown, VERDICT_LEGEND } from '../regress/report.js';
import { runEntry, selectEntries, type EntryRun, type RunSettings } from '../regress/run-matrix.js';
import { applyRun, writeMatrix, type RunFile } from '../regress/update.js';
import { compactText, recordsOf } from '../regress/compact.js';
import { isFailing } from '../regress/verdict.js';
import { withDatasetSourceOptions } from './dataset-options.js';
import { defineCommand } from './define-command.js';
import { encoderRunOptionsFrom, withEncoderRunOptions } from './model-options.js';
import { checkPositiveIntegers } from '../option-checks.js';
import { allEngineOptionsFrom, withEngineOptions } from '../engines/registry.js';

function historyBuilder(y: Argv) {
  return y
    .positional('file', { type: 'string', demandOption: true, describe: 'History file written by regress --history (JSON lines)' })
    .option('chart', { type: 'string', describe: 'Write an SVG chart: one panel per condition, each metric over time with its tolerance band, verdicts as point shapes' })
    .option('metric', { type: 'string', array: true, describe: 'Only these metrics (NDCG@10 or ndcg_cut.10 style; repeatable)' })
    .option('condition', { type: 'string', describe: 'Only conditions whose name contains this text, e.g. scifact/ or bm25' })
    .example('$0 regress history nightly-history.jsonl --chart trend.svg', 'Table of each metric\'s runs, and the trend chart');
}

const historyCommand = defineCommand({
  command: 'history <file>',
  describe: 'Show the trend of every metric in a --history file (table), optionally as an SVG chart',
  builder: historyBuilder,
  handler: async (a) => {
    const seen = a.chart === undefined ? null : await pathState(a.chart);
    const points = historyPoints(await readHistory(a.file), { metrics: (a.metric ?? []).map(parseMetricName), condition: a.condition });
    if (points.length === 0) throw new UserError(`nothing in ${a.file} matches --metric / --condition`);
    process.stdout.write(`${historyTable(points)}\n`);
    if (a.chart) {
      await writeFileIfUnchanged(a.chart, await historyChartSvg(points, `beir-bench regress history (${a.file})`), seen);
      process.stderr.write(`Chart: ${a.chart}\n`);
    }
  },
});

function convertBuilder(y: Argv) {
  return y
    .positional('file', { type: 'string', demandOption: true, describe: 'Regression matrix YAML, in either layout' })
    .option('out', { type: 'string', describe: 'Write the compact matrix here instead of replacing FILE (baseline-run paths are rewritten relative to it)' })
    .example('$0 regress convert regressions/old.yaml', 'Rewrite a matrix in the compact layout, in place')
    .example('$0 regress convert old.yaml --out regressions/new.yaml', 'Write the compact form beside it; the stored baseline runs stay where they are');
}

const convertCommand = defineCommand({
  command: 'convert <file>',
  describe: 'Rewrite a matrix in the compact layout (each dataset\'s digests and each system\'s encoder recorded once); every value kept, nothing run',
  builder: convertBuilder,
  handler: async (a) => {
    const out = a.out ?? a.file;
    const seen = await pathState(out);
    const before = await readFile(a.file, 'utf8').catch(() => null);
    const matrix = await readMatrix(a.file);
    const text = compactText(matrix, recordsOf(matrix), resolve(out));
    await writeFileIfUnchanged(out, text, seen);
    const lines = (t: string) => t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
    process.stderr.write(`${out}: compact layout, ${before === null ? '?' : lines(before)} -> ${lines(text)} lines; every expected value, recorded input and baseline run kept\n`);
  },
});

/** yargs API its typings omit: the options declared so far, and global(names, false), which keeps options local. */
interface YargsUntyped {
  getOptions(): { key: Record<string, unknown> };
  global(names: string[], global: boolean): unknown;
}
const untyped = (y: Argv) => y as unknown as YargsUntyped;
const optionNames = (y: Argv): string[] => Object.keys(untyped(y).getOptions().key);

function builder(y: Argv) {
  const inherited = new Set(optionNames(y));
  const run = withEngineOptions(withEncoderRunOptions(withDatasetSourceOptions(y)))
    .option('matrix', {
      type: 'string',
      array: true,
      describe: 'Regression matrix YAML (repeatable): systems, datasets and slices, expected values, tolerances; see docs/REGRESSION.md',
    })
    .option('tag', { type: 'string', array: true, describe: 'Run only the dataset entries carrying one of these tags (e.g. ci); default all' })
    .option('update', {
      type: 'boolean',
      default: false,
      describe: 'Rewrite the expected values, recorded inputs and stored baseline runs from this run and print what changed (review, then commit)',
    })
    .option('junit', { type: 'string', describe: 'Write JUnit XML: one testcase per condition x metric (FAIL = failure, CHANGED-INPUT = error)' })
    .option('summary', { type: 'string', describe: 'Append a markdown summary to this file, e.g. "$GITHUB_STEP_SUMMARY"' })
    .option('history', { type: 'string', describe: 'Append one JSON line per condition to this file (time, git sha, versions, inputs, values, verdicts)' })
    .option('out', { type: 'string', default: 'results/regress', describe: 'Results of each run go to <out>/<matrix>/<dataset entry>/<run id>/ (results.json, report.md, runs/)' })
    .option('bootstrap-samples', {
      type: 'number',
      default: 10000,
      describe: 'Resamples of the equivalence test (paired bootstrap interval of the mean change) of approximate conditions',
    })
    .option('permutations', { type: 'number', default: 10000, describe: 'Random sign flips of the comparisons between systems in each run\'s report (results.json)' })
    .option('seed', { type: 'number', default: DEFAULT_SEED, describe: 'Seed of the equivalence tests and of the reports\' comparisons (same seed, same intervals)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress output on stderr' })
    .check((a) => {
      const outputs = (['junit', 'summary', 'history'] as const).filter((k) => a[k] !== undefined);
      if (a.update && outputs.length > 0) throw new UserError(`--update records new expectations and judges nothing: drop --${outputs.join(', --')}`);
      return checkPositiveIntegers(a, ['permutations', 'bootstrap-samples']);
    })
    .example('$0 regress --matrix regressions/beir-e5-small-v2.yaml --data-dir ../shared/beir', 'Run every condition; exit 1 on any FAIL or CHANGED-INPUT')
    .example('$0 regress --matrix regressions/beir-e5-small-v2.yaml --tag ci --junit regress.xml', 'Only the CI slice, with JUnit XML for the CI system')
    .example('$0 regress --matrix regressions/beir-e5-small-v2.yaml --update', 'Record tonight\'s values as the new expectations (then review the diff and commit)')
    .epilog(
      `Verdicts (docs/REGRESSION.md): ${VERDICT_LEGEND} ` +
        'Before anything runs, every expected value must be what its stored baseline run scores (within the tolerance). ' +
        'Exit codes: 0 all OK/OK*, 1 any FAIL or CHANGED-INPUT, 2 an error (bad or inconsistent matrix, missing data). ' +
        'The nightly job (provisioning, the matrix, JUnit, summary, history, trend chart) is scripts/nightly.sh; CI runs it with --tag ci.',
    );
  // yargs options are global by default: keep these to `regress` itself, out of `regress history` and `regress convert`.
  untyped(run).global(optionNames(run).filter((k) => !inherited.has(k)), false);
  return run.command(historyCommand).command(convertCommand);
}

async function readMatrices(files: readonly string[], tags: readonly string[]): Promise<{ matrix: RegressionMatrix; entries: RegressionMatrix['datasets'] }[]> {
  const plan = [];
  for (const file of files) {
    const matrix = await readMatrix(file);
    plan.push({ matrix, entries: selectEntries(matrix, tags) });
  }
  if (plan.every((p) => p.entries.length === 0)) {
    const known = [...new Set(plan.flatMap((p) => p.matrix.datasets.flatMap((d) => d.tags)))];
    throw new UserError(`no dataset entry carries the tag ${tags.join(' or ')}; tags in ${files.join(', ')}: ${known.join(', ') || 'none'}`);
  }
  return plan;
}

export const regressCommand = defineCommand({
  command: 'regress',
  describe:
    'Run a regression matrix and judge each condition against its expected values (OK, OK*, FAIL, CHANGED-INPUT); "regress history" shows the trend, "regress convert" rewrites an old matrix compact',
  builder,
  handler: async (a) => {
    if (!a.matrix?.length) throw new UserError('name a matrix: regress --matrix regressions/NAME.yaml (or "regress history FILE" for the trend)');
    // The files this command replaces, as they were when it started: one another process wrote meanwhile is not replaced.
    const seen = new Map<string, PathState>();
    for (const f of [...(a.update ? a.matrix : []), ...(a.junit ? [a.junit] : [])]) seen.set(resolve(f), await pathState(f));
    const plan = await readMatrices(a.matrix, a.tag ?? []);
    const enc = encoderRunOptionsFrom(a);
    const settings: RunSettings = {
      dataDir: a['data-dir'],
      datasetCacheDir: a['cache-dir'],
      mirror: a.mirror,
      modelsDir: enc.modelsDir,
      device: enc.device,
      embeddingCacheDir: enc.cacheDir,
      threads: enc.threads,
      batchSize: enc.batchSize,
      batchTokens: enc.batchTokens,
      seed: a.seed,
      permutations: a.permutations,
      quiet: a.quiet,
      outDir: a.out,
      engineOptions: allEngineOptionsFrom(a),
    };
    // Before anything runs: every condition's stored baseline run is there and scores the matrix's values.
    const baselines = new Map<RegressionMatrix, Baselines>();
    if (!a.update) for (const p of plan) baselines.set(p.matrix, await checkBaselines(p.matrix, p.entries, settings));
    const started = new Date();
    // Everything runs before anything is judged or rewritten: a failure half-way changes no matrix.
    const runs: EntryRun[] = [];
    for (const { matrix, entries } of plan) for (const entry of entries) runs.push(await runEntry(matrix, entry, settings));

    if (a.update) {
      for (const { matrix } of plan) {
        const changes: string[] = [];
        let rewritten = false;
        // Under the matrix's lock, and only if nobody changed it since it was read: its baseline runs and values
        // come from one run, never half from another --update running at the same time.
        await withLock(matrix.file, async () => {
          await checkUnchanged(matrix.file, seen.get(resolve(matrix.file)) ?? null);
          const records = recordsOf(matrix);
          const runFiles: RunFile[] = [];
          for (const run of runs.filter((r) => r.matrix === matrix)) {
            const applied = await applyRun(run, records);
            changes.push(...applied.changes);
            runFiles.push(...applied.runFiles);
          }
          ({ rewritten } = await writeMatrix(matrix, records, runFiles));
        });
        process.stdout.write(
          changes.length > 0
            ? `${matrix.file}: ${changes.length} change(s), review and commit:\n${changes.map((c) => `  ${c}`).join('\n')}\n`
            : rewritten
              ? `${matrix.file}: no value changed, but the file was rewritten in the compact layout (as regress convert does): review and commit\n`
              : `${matrix.file}: no changes (this run measured what the matrix says)\n`,
        );
      }
      return;
    }

    const conditions: ConditionCheck[] = [];
    const records: HistoryRecord[] = [];
    const git = a.history ? await gitState() : null;
    for (const run of runs) {
      const checks = await checkEntry(run.matrix, run.entry, run.results, run.dir, baselines.get(run.matrix)!, { samples: a['bootstrap-samples'], seed: a.seed });
      conditions.push(...checks);
      if (git) records.push(...historyRecords(run, checks, started.toISOString(), git));
    }
    const notes = regressNotes(conditions);
    process.stdout.write(`${regressTable(conditions)}\n${notes.length ? `${notes.join('\n')}\n` : ''}${summaryLine(conditions)}\n`);

    const title = `beir-bench regress ${plan.map((p) => p.matrix.name).join(', ')}`;
    if (a.junit) {
      const xml = junitXml(conditions, { name: title, timestamp: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000 });
      await writeFileIfUnchanged(a.junit, xml, seen.get(resolve(a.junit)) ?? null);
    }
    if (a.summary) await appendWhole(a.summary, summaryMarkdown(conditions, title));
    if (a.history) await appendHistory(a.history, records);
    if (!a.quiet) process.stderr.write(`Results (results.json, run files): ${runs.map((r) => r.dir).join(', ')}\n`);
    if (conditions.some((c) => isFailing(c.verdict))) process.exitCode = 1;
  },
});

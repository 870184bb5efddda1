/**
 * Run a matrix's dataset entries through the bench pipeline: one runBench per entry (every system of the entry
 * in one run, through the embedding cache), written as a normal results folder, then read back as a ResultsFile.
 */
import { join } from 'node:path';
import type { BenchConfig } from '../bench/config.js';
import { runBench } from '../bench/run-bench.js';
import { measureOf } from '../eval/metrics.js';
import { runReports } from '../report/report-files.js';
import { writeRunFolder } from '../results/run-folder.js';
import type { ResultsFile } from '../results/schema.js';
import { IGNORE_IDENTICAL_IDS, type DatasetEntry, type RegressionMatrix } from './matrix.js';
import type { EngineOptions } from '../engines/engine.js';
import { engineOptionsForEntry } from '../engines/registry.js';

/** How to run, from the command line: where data, models and caches are, OpenSearch, statistics, output. */
export type RunSettings = Pick<
  BenchConfig,
  'dataDir' | 'datasetCacheDir' | 'mirror' | 'modelsDir' | 'device' | 'embeddingCacheDir' | 'threads' | 'batchSize' | 'batchTokens' | 'seed' | 'permutations' | 'quiet'
> & {
  /** Results go to <outDir>/<matrix>/<entry>/<run id>/. */
  outDir: string;
  /** Every engine family's settings (src/engines/); each entry gets those of the engines it uses. */
  engineOptions: EngineOptions;
};

export interface EntryRun {
  matrix: RegressionMatrix;
  entry: DatasetEntry;
  results: ResultsFile;
  /** The results folder (results.json, report.md, runs/). */
  dir: string;
}

/** The entries to run: those with any of `tags`, or all when no tag is given. */
export function selectEntries(matrix: RegressionMatrix, tags: readonly string[]): DatasetEntry[] {
  return tags.length === 0 ? matrix.datasets : matrix.datasets.filter((d) => d.tags.some((t) => tags.includes(t)));
}

export function entryConfig(matrix: RegressionMatrix, entry: DatasetEntry, rs: RunSettings): BenchConfig {
  const { outDir, engineOptions, ...rest } = rs;
  return {
    ...rest,
    datasets: [entry.source],
    datasetBaseDir: entry.baseDir,
    split: entry.split,
    systems: entry.systems,
    k: Math.max(...matrix.metrics.map((m) => measureOf(m).k)),
    metrics: matrix.metrics,
    ignoreIdenticalIds: IGNORE_IDENTICAL_IDS,
    maxQueries: entry.maxQueries,
    maxDocs: entry.maxDocs,
    outDir: join(outDir, matrix.name, entry.name),
    // Indexes named per entry (src/engines/, forEntry): a slice and the full corpus of one dataset must not share them.
    engineOptions: engineOptionsForEntry(engineOptions, entry.name, entry.systems),
  };
}

export async function runEntry(matrix: RegressionMatrix, entry: DatasetEntry, rs: RunSettings): Promise<EntryRun> {
  if (!rs.quiet) process.stderr.write(`regress: ${matrix.name} ${entry.name} (${entry.systems.map((s) => s.id).join(', ')})\n`);
  const outcome = await runBench(entryConfig(matrix, entry, rs));
  const { results, dir } = await writeRunFolder(outcome, runReports);
  return { matrix, entry, results, dir };
}

import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BenchOutcome } from '../bench/run-bench.js';
import { publishFolder } from '../atomic-file.js';
import { parseDatasetSpec } from '../datasets/source.js';
import { writeRunFile } from '../formats/run-file.js';
import { modelShortName } from '../systems/system.js';
import { buildResults, environment, runFileName } from './build-results.js';
import type { ResultsFile } from './schema.js';

/**
 * What is rendered from results.json and written beside it (the reports: src/report/report-files.ts, runReports):
 * its files, and whatever else the caller keeps from rendering them.
 */
export type Companions<C extends { files: ReadonlyMap<string, string> }> = (results: ResultsFile) => Promise<C>;

/**
 * `20261125-174501-scifact-e5-small-v2`: sortable, and says what ran. Two runs of the same inputs started in the same
 * second get the same id: `writeRunFolder` then names the later folder `...-2` (`-3`, ...).
 */
export function makeRunId(outcome: BenchOutcome): string {
  const { systems } = outcome.config;
  // Dataset names, not specs as given: a folder's path does not belong in a folder name.
  const datasets = outcome.config.datasets.map((given) => parseDatasetSpec(given).name);
  const stamp = outcome.startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const sets = datasets.length > 3 ? `${datasets.length}-datasets` : datasets.join('+');
  const models = [...new Set(systems.flatMap((s) => (s.kind === 'hybrid' ? s.components : [s])).flatMap((s) => (s.kind === 'dense' ? [modelShortName(s.model)] : [])))];
  const what = models.length === 0 ? systems.map((s) => s.id).join('+') : models.length > 2 ? `${models.length}-models` : models.join('+');
  return `${stamp}-${sets}-${what}`.replace(/[^A-Za-z0-9+._-]/g, '_');
}

/**
 * Write results/<run-id>/ as a whole: results.json, the TREC run files and the companion files rendered from
 * results.json (the reports), under a folder name no other run holds (`publishFolder`: never replacing another
 * run's results, even one started in the same second on the same inputs). Everything goes into a hidden temp
 * folder first and is renamed into place at the end, so a failure or Ctrl-C never leaves a half-written result
 * folder behind. The run id in results.json is the folder's name.
 */
export async function writeRunFolder<C extends { files: ReadonlyMap<string, string> }>(
  outcome: BenchOutcome,
  companions: Companions<C>,
): Promise<{ results: ResultsFile; dir: string; companions: C }> {
  const env = await environment();
  const render = async (runId: string) => {
    const results = buildResults(outcome, runId, env);
    return { results, companions: await companions(results) };
  };
  const base = join(outcome.config.outDir, makeRunId(outcome));
  // Rendered before the folder name is claimed, so the claim stays empty for milliseconds; again only if taken.
  let out = await render(basename(base));
  const dir = await publishFolder(base, async (tmp, final) => {
    if (basename(final) !== out.results.runId) out = await render(basename(final));
    await mkdir(join(tmp, 'runs'));
    for (const d of outcome.datasets) {
      for (const s of d.systems) {
        const run = new Map([...s.run].map(([qid, hits]) => [qid, new Map(hits.map((h) => [h.id, h.score]))]));
        await writeRunFile(join(tmp, 'runs', runFileName(d.name, s.system.id)), run, `beir-bench.${s.system.id}`);
      }
    }
    await writeFile(join(tmp, 'results.json'), `${JSON.stringify(out.results, null, 2)}\n`);
    for (const [name, text] of out.companions.files) await writeFile(join(tmp, name), text);
  }, { unique: true });
  return { results: out.results, dir, companions: out.companions };
}

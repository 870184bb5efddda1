/**
 * `--history FILE`: one JSON line per condition per run, appended (never rewritten), so a nightly job's file is
 * the trend of every metric: time, git sha of the project, versions, inputs, values and verdicts.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { appendWhole } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-info.js';
import type { MetricName } from '../eval/metrics.js';
import type { ConditionCheck } from './check.js';
import { datasetInputs, systemInputs, type DatasetInputs, type SystemInputs } from './inputs.js';
import type { EntryRun } from './run-matrix.js';
import { VERDICTS, type MetricCheck, type Verdict } from './verdict.js';

/**
 * Bump when a field changes meaning; readers skip nothing silently (see readHistory). Version 2: verdicts compare
 * tonight's run with the stored baseline run (queries changed, equivalence interval, margin); version 1 records
 * (tolerance and p-value) are still read, their tolerance taken as the band.
 */
export const HISTORY_VERSION = 2;

export interface HistoryRecord {
  v: typeof HISTORY_VERSION;
  /** ISO 8601, when the regress run started. */
  time: string;
  matrix: string;
  /** `scifact/bm25`. */
  condition: string;
  dataset: string;
  split: string;
  slice: { maxQueries: number | null; maxDocs: number | null };
  system: string;
  /** How the condition is judged: reproduced exactly (deterministic) or by the equivalence test (approximate); null in version 1 records. */
  kind: ConditionCheck['kind'] | null;
  /** The project's commit (and whether its tree had uncommitted changes); null outside a git checkout. */
  git: { sha: string | null; dirty: boolean | null };
  /** Node and the packages that decide scores, from results.json. */
  versions: Record<string, string | null>;
  runId: string;
  inputs: { dataset: DatasetInputs; system: SystemInputs };
  metrics: Record<MetricName, Omit<MetricCheck, 'metric'>>;
  verdict: Verdict;
}

const exec = promisify(execFile);

/** The project's git commit: $GITHUB_SHA in GitHub Actions, else `git rev-parse HEAD` in the package root. */
export async function gitState(): Promise<HistoryRecord['git']> {
  const git = (...args: string[]) => exec('git', ['-C', PACKAGE_ROOT, ...args]).then((r) => r.stdout.trim());
  const sha = await git('rev-parse', 'HEAD').catch(() => process.env.GITHUB_SHA || null);
  const dirty = sha === null ? null : await git('status', '--porcelain', '--untracked-files=no').then((s) => s !== '', () => null);
  return { sha, dirty };
}

export function historyRecords(run: EntryRun, checks: readonly ConditionCheck[], time: string, git: HistoryRecord['git']): HistoryRecord[] {
  const [dataset] = run.results.datasets;
  const { environment } = run.results;
  return checks.map((c) => {
    const sr = dataset.systems.find((s) => s.system === c.system)!;
    return {
      v: HISTORY_VERSION,
      time,
      matrix: c.matrix,
      condition: c.condition,
      dataset: c.dataset,
      split: run.entry.split,
      slice: { maxQueries: run.entry.maxQueries ?? null, maxDocs: run.entry.maxDocs ?? null },
      system: c.system,
      kind: c.kind,
      git,
      versions: { node: environment.node, ...environment.packages },
      runId: run.results.runId,
      inputs: { dataset: datasetInputs(dataset), system: systemInputs(sr) },
      metrics: Object.fromEntries(c.checks.map(({ metric, ...rest }) => [metric, rest])),
      verdict: c.verdict,
    };
  });
}

/**
 * Append the records as JSON lines in one write; earlier lines are never touched. Under the file's lock, so two
 * runs appending at once never interleave their lines, and a failed or interrupted write leaves none of them.
 */
export async function appendHistory(file: string, records: readonly HistoryRecord[]): Promise<void> {
  if (records.length === 0) return;
  await appendWhole(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** A version 1 record's metric: a tolerance where version 2 has the margin, no per-query comparison. */
type MetricV1 = { expected: number; got: number; delta: number; tolerance: number; pValue: number | null; verdict: Verdict };

/** Version 1 as version 2: the tolerance is the band; nothing is known of the queries. */
function fromV1(rec: Omit<HistoryRecord, 'v' | 'metrics'> & { metrics: Record<string, MetricV1> }): HistoryRecord {
  const metrics = Object.fromEntries(
    Object.entries(rec.metrics).map(([m, v]) => [
      m,
      { expected: v.expected, got: v.got, delta: v.delta, margin: v.tolerance, queries: 0, changed: 0, largest: [], ci95: null, verdict: v.verdict, reason: '' },
    ]),
  );
  return { ...rec, v: HISTORY_VERSION, kind: null, metrics };
}

function checkRecord(r: unknown, where: string): HistoryRecord {
  const rec = r as Partial<HistoryRecord> | null;
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new UserError(`${where}: not a history record (a JSON object)`);
  const version = rec.v as number | undefined;
  if (version !== HISTORY_VERSION && version !== 1) {
    throw new UserError(`${where}: history record version ${JSON.stringify(rec.v)}; this beir-bench reads versions 1 and ${HISTORY_VERSION}`);
  }
  for (const k of ['time', 'matrix', 'condition'] as const) if (typeof rec[k] !== 'string') throw new UserError(`${where}: field "${k}" must be a string`);
  if (Number.isNaN(Date.parse(rec.time!))) throw new UserError(`${where}: field "time" is not a date: ${JSON.stringify(rec.time)}`);
  if (!VERDICTS.includes(rec.verdict as Verdict)) throw new UserError(`${where}: field "verdict" must be one of ${VERDICTS.join(', ')}`);
  if (typeof rec.metrics !== 'object' || rec.metrics === null) throw new UserError(`${where}: field "metrics" must be an object`);
  for (const [m, v] of Object.entries(rec.metrics)) {
    for (const k of ['expected', 'got', version === 1 ? 'tolerance' : 'margin']) {
      if (typeof (v as unknown as Record<string, unknown>)?.[k] !== 'number') throw new UserError(`${where}: metrics.${m}.${k} must be a number`);
    }
  }
  return version === 1 ? fromV1(rec as unknown as Parameters<typeof fromV1>[0]) : (rec as HistoryRecord);
}

/** Every record of a history file, in file order; a malformed line is an error naming file and line. */
export async function readHistory(file: string): Promise<HistoryRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read history file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const records: HistoryRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      throw new UserError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    records.push(checkRecord(data, `${file}:${i + 1}`));
  });
  if (records.length === 0) throw new UserError(`${file} holds no history records`);
  return records;
}

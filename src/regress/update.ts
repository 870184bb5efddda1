/**
 * `regress --update`: rewrite a matrix's expected values, recorded inputs and stored baseline runs from tonight's
 * run, in the compact layout (src/regress/compact.ts; comments and hand-written fields kept), and say what changed,
 * so a deliberate change is one reviewed commit.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { formatFixed } from '../eval/format.js';
import { displayName } from '../eval/metrics.js';
import { fmtScore, signed } from '../report/numbers.js';
import { compactText, type EntryRecord } from './compact.js';
import { datasetInputs, diffFingerprint, systemInputs } from './inputs.js';
import { conditionName, defaultBaselineRun, STORED_DECIMALS, type RegressionMatrix } from './matrix.js';
import type { EntryRun } from './run-matrix.js';

/** Rounded as stored: what reports print. */
const stored = (v: number): number => Number(formatFixed(v, STORED_DECIMALS));

/** A baseline run to (re)write: tonight's run file, bound for the condition's stored path. */
export interface RunFile {
  path: string;
  data: Buffer;
}

/**
 * Apply one entry's run to the matrix's records (`records[entry.index]`). Returns the changes in words (nothing
 * when the matrix already says what tonight measured) and the baseline runs to write; nothing is written here.
 */
export async function applyRun(run: EntryRun, records: EntryRecord[]): Promise<{ changes: string[]; runFiles: RunFile[] }> {
  const { matrix, entry, results, dir } = run;
  const [dataset] = results.datasets;
  const record = records[entry.index];
  const changes: string[] = [];
  const runFiles: RunFile[] = [];

  const nowDataset = { ...datasetInputs(dataset), where: entry.where };
  if (!record.inputs) {
    changes.push(`${entry.name} inputs recorded: content digest and sha256 of ${Object.keys(nowDataset.files ?? {}).join(', ')}; corpus statistics`);
    record.inputs = nowDataset;
  } else {
    const inputDiff = [
      ...diffFingerprint('content', record.inputs.content, nowDataset.content),
      ...diffFingerprint('files', record.inputs.files, nowDataset.files),
      ...diffFingerprint('stats', record.inputs.stats, nowDataset.stats),
    ];
    if (inputDiff.length > 0) {
      changes.push(...inputDiff.map((d) => `${entry.name} inputs ${d}`));
      record.inputs = nowDataset;
    }
  }

  for (const system of entry.systems) {
    const sr = dataset.systems.find((s) => s.system === system.id)!;
    const before = record.expected.get(system.id);
    const name = conditionName(entry, system);
    const metrics = new Map(before?.metrics);
    const keys = new Map(before?.keys);
    for (const m of matrix.metrics) {
      const now = stored(sr.mean[m]);
      const was = metrics.get(m);
      if (was === now) continue;
      changes.push(`${name} ${displayName(m)}: ${was === undefined ? '(none)' : fmtScore(was)} -> ${fmtScore(now)}${was === undefined ? '' : ` (${signed(now - was)})`}`);
      metrics.set(m, now);
      if (!keys.has(m)) keys.set(m, displayName(m));
    }
    const where = before?.where ?? `${entry.where}.expected.${system.id}`;
    const ref = before?.baselineRun?.ref ?? defaultBaselineRun(matrix, entry, system.id);
    const baselineRun = before?.baselineRun ?? { path: resolve(dirname(matrix.file), ref), ref, where };
    const tonight = await readFile(join(dir, sr.runFile));
    const previous = await readFile(baselineRun.path).catch(() => null);
    if (!previous?.equals(tonight)) {
      changes.push(`${name} baseline run ${ref}: ${previous ? 'rewritten' : 'written'}`);
      runFiles.push({ path: baselineRun.path, data: tonight });
    }

    let inputs = before?.inputs ?? null;
    const nowSystem = systemInputs(sr);
    if (nowSystem.encoder || nowSystem.strings) {
      const systemDiff = inputs
        ? [...diffFingerprint('encoder', inputs.encoder, nowSystem.encoder), ...diffFingerprint('strings', inputs.strings, nowSystem.strings)]
        : ['recorded: the encoder fingerprint and the sha256 of the strings sent'];
      if (systemDiff.length > 0) {
        changes.push(...systemDiff.map((d) => `${name} inputs ${d}`));
        inputs = nowSystem;
      }
    }
    record.expected.set(system.id, { metrics, keys, baselineRun, inputs, where });
  }
  return { changes, runFiles };
}

/**
 * Write the matrix file in the compact layout (atomically), after its baseline runs: it never names a run file that
 * is not there. The text is built first, so records the layout cannot hold (two entries of one dataset recorded
 * from different files) stop the update before anything is written.
 */
export async function writeMatrix(matrix: RegressionMatrix, records: readonly EntryRecord[], runFiles: readonly RunFile[]): Promise<{ rewritten: boolean }> {
  const text = compactText(matrix, records, matrix.file);
  for (const f of runFiles) await writeFileAtomic(f.path, f.data);
  // An old-layout matrix comes back compact even when no value changed: the caller says so.
  const rewritten = (await readFile(matrix.file, 'utf8').catch(() => null)) !== text;
  await writeFileAtomic(matrix.file, text);
  return { rewritten };
}

/**
 * `regress --update`: rewrite a matrix's expected values, recorded inputs and stored baseline runs from tonight's
 * run, in place (comments and layout kept), and say what changed, so a deliberate change is one reviewed commit.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { formatFixed } from '../eval/format.js';
import { displayName } from '../eval/metrics.js';
import { fmtScore, signed } from '../report/numbers.js';
import { datasetInputs, diffFingerprint, systemInputs } from './inputs.js';
import { conditionName, defaultBaselineRun, STORED_DECIMALS, type RegressionMatrix } from './matrix.js';
import type { EntryRun } from './run-matrix.js';

/** Rounded as stored: what reports print. */
const stored = (v: number): number => Number(formatFixed(v, STORED_DECIMALS));

/**
 * Apply one entry's run to its matrix document and copy tonight's run files to the baseline paths. Returns
 * the changes in words (nothing when the matrix already says what tonight measured).
 */
export async function applyRun(run: EntryRun): Promise<string[]> {
  const { matrix, entry, results, dir } = run;
  const doc = matrix.yaml.doc;
  const [dataset] = results.datasets;
  const base = ['datasets', entry.index];
  const changes: string[] = [];

  const nowDataset = datasetInputs(dataset);
  if (!entry.inputs) {
    changes.push(`${entry.name} inputs recorded: content digest and sha256 of ${Object.keys(nowDataset.files ?? {}).join(', ')}; corpus statistics`);
    doc.setIn([...base, 'inputs'], nowDataset);
  } else {
    const inputDiff = [
      ...diffFingerprint('content', entry.inputs.content, nowDataset.content),
      ...diffFingerprint('files', entry.inputs.files, nowDataset.files),
      ...diffFingerprint('stats', entry.inputs.stats, nowDataset.stats),
    ];
    if (inputDiff.length > 0) {
      changes.push(...inputDiff.map((d) => `${entry.name} inputs ${d}`));
      doc.setIn([...base, 'inputs'], nowDataset);
    }
  }

  for (const system of entry.systems) {
    const sr = dataset.systems.find((s) => s.system === system.id)!;
    const e = entry.expected.get(system.id);
    const at = [...base, 'expected', system.id];
    const name = conditionName(entry, system);
    for (const m of matrix.metrics) {
      const now = stored(sr.mean[m]);
      const before = e?.metrics.get(m);
      if (before === now) continue;
      changes.push(`${name} ${displayName(m)}: ${before === undefined ? '(none)' : fmtScore(before)} -> ${fmtScore(now)}${before === undefined ? '' : ` (${signed(now - before)})`}`);
      doc.setIn([...at, 'metrics', e?.keys.get(m) ?? displayName(m)], now);
    }
    const ref = e?.baselineRun?.ref ?? defaultBaselineRun(matrix, entry, system.id);
    const target = resolve(dirname(matrix.file), ref);
    const tonight = await readFile(join(dir, sr.runFile));
    const previous = await readFile(target).catch(() => null);
    if (!previous?.equals(tonight)) {
      changes.push(`${name} baseline run ${ref}: ${previous ? 'rewritten' : 'written'}`);
      await writeFileAtomic(target, tonight);
    }
    if (!e?.baselineRun) doc.setIn([...at, 'baselineRun'], ref);

    const nowSystem = systemInputs(sr);
    if (nowSystem.encoder || nowSystem.strings) {
      const systemDiff = e?.inputs
        ? [...diffFingerprint('encoder', e.inputs.encoder, nowSystem.encoder), ...diffFingerprint('strings', e.inputs.strings, nowSystem.strings)]
        : ['recorded: the encoder fingerprint and the sha256 of the strings sent'];
      if (systemDiff.length > 0) {
        changes.push(...systemDiff.map((d) => `${name} inputs ${d}`));
        doc.setIn([...at, 'inputs'], nowSystem);
      }
    }
  }
  return changes;
}

/** Write the matrix file (atomically), after its baseline runs: it never names a run file that is not there. */
export async function writeMatrix(matrix: RegressionMatrix): Promise<void> {
  await writeFileAtomic(matrix.file, matrix.yaml.doc.toString({ flowCollectionPadding: false, lineWidth: 0 }));
}

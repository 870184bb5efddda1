/**
 * The power of each condition of a regression matrix (docs/REGRESSION.md, "Power"): the smallest real change its
 * verdict detects. Real changes are built from the condition's stored baseline run (the unchanged system), in j of
 * its queries (taken in slice order), for j = 1, 2, ...:
 *   - nudge: the deepest relevant doc that has a non-relevant doc right below it moves down one rank (about the
 *     smallest change a ranking can make to a query's score);
 *   - drop: the best-ranked relevant doc leaves the top k (a lost hit).
 * Each changed run is judged against the stored one by regress's own rule (src/regress/run-difference.ts,
 * src/regress/verdict.ts), with the condition's kind and margin. Reported per condition and change: the smallest
 * mean change in the first metric that FAILs, and the largest that still passes.
 *
 * Usage: npm run bench:regress-power -- --matrix regressions/beir-e5-small-v2.yaml [--tag ci] [--data-dir ../shared/beir]
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sliceKey } from '../src/datasets/slice.js';
import { displayName } from '../src/eval/metrics.js';
import { entryQrels, scoreRun } from '../src/regress/baselines.js';
import { conditionName, readMatrix } from '../src/regress/matrix.js';
import { runDifferences } from '../src/regress/run-difference.js';
import { selectEntries } from '../src/regress/run-matrix.js';
import { judgeMetric, type Verdict } from '../src/regress/verdict.js';
import { isDeterministic } from '../src/systems/system-engines.js';
import type { Qrels } from '../src/types.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Hit = { doc: string; line: string };
type Run = Map<string, Hit[]>;

async function readRun(path: string): Promise<Run> {
  const run: Run = new Map();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    const [qid, , doc] = line.split(/\s+/);
    run.set(qid, [...(run.get(qid) ?? []), { doc, line }]);
  }
  return run;
}

/** A run file from hits in ranking order: ranks renumbered, scores descending. */
const runText = (run: Run) =>
  [...run].flatMap(([q, hits]) => hits.map((h, r) => `${q} Q0 ${h.doc} ${r + 1} ${(1000 - r).toFixed(3)} power`)).join('\n') + '\n';

/** One query's hits changed as the module comment says, or null when the change does not apply to it. */
const CHANGES: Record<string, (hits: Hit[], relevant: (doc: string) => boolean) => Hit[] | null> = {
  nudge(hits, relevant) {
    for (let r = hits.length - 2; r >= 0; r--) {
      if (relevant(hits[r].doc) && !relevant(hits[r + 1].doc)) return [...hits.slice(0, r), hits[r + 1], hits[r], ...hits.slice(r + 2)];
    }
    return null;
  },
  drop(hits, relevant) {
    const r = hits.findIndex((h) => relevant(h.doc));
    return r < 0 ? null : [...hits.slice(0, r), ...hits.slice(r + 1)];
  },
};

const matrixFile = arg('matrix') ?? 'regressions/beir-e5-small-v2.yaml';
const tag = arg('tag');
const dataDir = arg('data-dir');
const matrix = await readMatrix(matrixFile);
const metric = matrix.metrics[0];
const dir = await mkdtemp(join(tmpdir(), 'regress-power-'));

console.log(`| condition | kind | queries | change | smallest ${displayName(metric)} change that FAILs (queries changed) | largest that passes |`);
console.log('|---|---|---:|---|---:|---:|');
for (const entry of selectEntries(matrix, tag ? [tag] : [])) {
  const qrels: Qrels = await entryQrels(entry, { dataDir, datasetCacheDir: 'datasets', quiet: true });
  for (const system of entry.systems) {
    const expected = entry.expected.get(system.id)!;
    const kind = isDeterministic(system) ? 'deterministic' : 'approximate';
    const baselinePath = expected.baselineRun!.path;
    const baseline = await scoreRun(qrels, baselinePath, matrix.metrics);
    const stored = await readRun(baselinePath);
    const order = [...stored.keys()].sort((a, b) => (sliceKey(a) < sliceKey(b) ? -1 : 1));
    for (const [name, change] of Object.entries(CHANGES)) {
      const changed = new Map(stored);
      let detected: { delta: number; queries: number } | null = null;
      let passed: { delta: number; verdict: Verdict } | null = null;
      let j = 0;
      for (const q of order) {
        const hits = change(stored.get(q)!, (doc) => (qrels.get(q)?.get(doc) ?? 0) > 0);
        if (!hits) continue;
        changed.set(q, hits);
        j++;
        const file = join(dir, 'changed.trec');
        await writeFile(file, runText(changed));
        const tonight = await scoreRun(qrels, file, matrix.metrics);
        const diff = runDifferences(baseline, tonight, [metric], kind === 'approximate' ? { samples: 10_000, seed: 42 } : null)[metric];
        const check = judgeMetric({ metric, expected: baseline.mean[metric], got: tonight.mean[metric], kind, margin: expected.margin[metric], difference: diff, inputChanged: false });
        if (check.verdict === 'FAIL') {
          detected = { delta: check.delta, queries: j };
          break;
        }
        if (check.verdict !== 'OK' && (!passed || Math.abs(check.delta) > Math.abs(passed.delta))) passed = { delta: check.delta, verdict: check.verdict };
      }
      const fmt = (d: number) => (d >= 0 ? '+' : '') + d.toFixed(5);
      console.log(
        `| ${conditionName(entry, system)} | ${kind}${kind === 'approximate' ? ` ±${expected.margin[metric]}` : ''} | ${baseline.queriesScored} | ${name} | ` +
          `${detected ? `${fmt(detected.delta)} (${detected.queries})` : `none up to ${j} queries`} | ${passed ? `${fmt(passed.delta)} (${passed.verdict})` : '-'} |`,
      );
    }
  }
}

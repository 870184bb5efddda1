/**
 * The false-failure rate of a night (docs/REGRESSION.md, "False failures"): an unchanged system run N times, each
 * "night" on fresh OpenSearch indexes (a new --index-prefix: new HNSW graphs, new BM25 indexes), judged as regress
 * judges it. Two measurements:
 *   - nights: each run of `regress` against the matrix's stored baseline runs (its exit status and verdicts);
 *   - pairs: every pair of nights, one taken as the stored baseline of the other (N (N - 1) / 2 comparisons of two
 *     independent builds), through the same per-query comparison and verdict rule (src/regress/).
 * A night fails when any of its checks fails; with no failure in M comparisons the 95% upper bound of the rate is
 * 1 - 0.05^(1/M). The headroom of each approximate check is its largest |95% interval bound| against its margin.
 *
 * Usage: npm run bench:regress-noise -- --matrix regressions/beir-e5-small-v2.yaml --nights 10 [--tag ci]
 *          [--data-dir ../shared/beir] [--prefix regress-noise] [--keep-indexes]
 * OpenSearch: $OPENSEARCH_URL (default http://127.0.0.1:9200); the indexes of each night are deleted at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayName } from '../src/eval/metrics.js';
import { readResults } from '../src/results/read-results.js';
import { entryQrels, scoreRun } from '../src/regress/baselines.js';
import { conditionName, DEFAULT_MARGIN, readMatrix, type DatasetEntry } from '../src/regress/matrix.js';
import { runDifferences } from '../src/regress/run-difference.js';
import { judgeMetric } from '../src/regress/verdict.js';
import { selectEntries } from '../src/regress/run-matrix.js';
import { isDeterministic } from '../src/systems/system-engines.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const matrixFile = arg('matrix') ?? 'regressions/beir-e5-small-v2.yaml';
const nights = Number(arg('nights') ?? 10);
const tag = arg('tag');
const dataDir = arg('data-dir');
const prefix = arg('prefix') ?? `regress-noise-${process.pid}`;
const url = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const SAMPLES = 10_000;
const SEED = 42;

/** The 95% upper bound of a rate with `failures` of `n` (exact for 0: 1 - 0.05^(1/n); else the normal approximation). */
function upper95(failures: number, n: number): number {
  if (failures === 0) return 1 - 0.05 ** (1 / n);
  const p = failures / n;
  return Math.min(1, p + 1.96 * Math.sqrt((p * (1 - p)) / n));
}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const matrix = await readMatrix(matrixFile);
const entries = selectEntries(matrix, tag ? [tag] : []);
const base = await mkdtemp(join(tmpdir(), 'regress-noise-'));
const started = Date.now();

// 1. The nights: the real command, fresh indexes each time.
const exits: number[] = [];
for (let night = 1; night <= nights; night++) {
  const args = ['tsx', 'src/cli.ts', 'regress', '--matrix', matrixFile, ...(tag ? ['--tag', tag] : []), ...(dataDir ? ['--data-dir', dataDir] : []),
    '--index-prefix', `${prefix}-${night}`, '--out', join(base, `night-${night}`), '--history', join(base, 'history.jsonl'), '--quiet'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args.slice(1)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const summary = r.stdout.trim().split('\n').pop();
  // 0 and 1 are verdicts; anything else is a night that could not run, which measures nothing.
  if (r.status !== 0 && r.status !== 1) throw new Error(`night ${night}: regress exited ${r.status ?? r.signal}; see its error above`);
  exits.push(r.status);
  console.log(`night ${night}: exit ${r.status}; ${summary}`);
}
if (!process.argv.includes('--keep-indexes')) {
  const res = await fetch(`${url}/${prefix}-*?ignore_unavailable=true&allow_no_indices=true`, { method: 'DELETE' });
  if (!res.ok) console.error(`could not delete the indexes ${prefix}-*: HTTP ${res.status}`);
}

// 2. Every pair of nights, per condition.
/** The run file of each night for one entry's system. */
async function runFiles(entry: DatasetEntry, systemId: string): Promise<string[]> {
  const files: string[] = [];
  for (let night = 1; night <= nights; night++) {
    const dir = join(base, `night-${night}`, matrix.name, entry.name);
    const [runId] = await readdir(dir);
    const results = await readResults(join(dir, runId, 'results.json'));
    files.push(join(dir, runId, results.datasets[0].systems.find((s) => s.system === systemId)!.runFile));
  }
  return files;
}

const failingPairs = new Set<string>();
const pairs = (nights * (nights - 1)) / 2;
const rows: string[] = [];
for (const entry of entries) {
  const qrels = await entryQrels(entry, { dataDir, datasetCacheDir: 'datasets', quiet: true });
  for (const system of entry.systems) {
    const kind = isDeterministic(system) ? 'deterministic' : 'approximate';
    const scored = await Promise.all((await runFiles(entry, system.id)).map((f) => scoreRun(qrels, f, matrix.metrics)));
    const margin = entry.expected.get(system.id)?.margin;
    let changedPairs = 0;
    let failed = 0;
    let widest = 0;
    for (let i = 0; i < nights; i++) {
      for (let j = i + 1; j < nights; j++) {
        const diff = runDifferences(scored[i], scored[j], matrix.metrics, kind === 'approximate' ? { samples: SAMPLES, seed: SEED } : null);
        const checks = matrix.metrics.map((m) =>
          judgeMetric({ metric: m, expected: 0, got: 0, kind, margin: margin?.[m] ?? DEFAULT_MARGIN, difference: diff[m], inputChanged: false }),
        );
        if (checks.some((c) => c.changed > 0)) changedPairs++;
        if (checks.some((c) => c.verdict === 'FAIL')) {
          failed++;
          failingPairs.add(`${i}-${j}`);
        }
        for (const c of checks) if (c.ci95) widest = Math.max(widest, Math.abs(c.ci95[0]), Math.abs(c.ci95[1]));
      }
    }
    const spread = matrix.metrics.map((m) => {
      const means = scored.map((s) => s.mean[m]);
      return `${displayName(m)} ${Math.min(...means).toFixed(4)}–${Math.max(...means).toFixed(4)}`;
    });
    rows.push(
      `| ${conditionName(entry, system)} | ${kind} | ${scored[0].queriesScored} | ${changedPairs}/${pairs} | ${failed}/${pairs} | ` +
        `${kind === 'approximate' ? `${widest.toFixed(4)} (margin ${margin?.[matrix.metrics[0]] ?? DEFAULT_MARGIN})` : '-'} | ${spread.join(', ')} |`,
    );
  }
}

const failedNights = exits.filter((e) => e !== 0).length;
console.log(`\n${matrix.file}${tag ? ` --tag ${tag}` : ''}: ${nights} nights on fresh indexes, ${((Date.now() - started) / 60000).toFixed(1)} min`);
console.log('\n| condition | kind | queries | pairs with a changed query | pairs failing | widest 95% bound | means over the nights |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const r of rows) console.log(r);
console.log(`\nnights failing against the stored runs: ${failedNights}/${nights} (95% upper bound ${pct(upper95(failedNights, nights))})`);
console.log(`pairs of nights failing (any check): ${failingPairs.size}/${pairs} (95% upper bound ${pct(upper95(failingPairs.size, pairs))})`);
console.log(`outputs: ${base}`);

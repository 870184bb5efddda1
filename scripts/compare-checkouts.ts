/**
 * Behaviour unchanged across a refactoring: the same benchmarks run by two checkouts of beir-bench (e.g. main
 * before a change, in a `git worktree add`, and this one), and every score their results.json files hold compared:
 * each system's mean and per-query values, the comparisons' statistics, the approximation (HNSW vs exact) and the
 * deployment audit, plus the run files byte for byte. Timings, paths and run ids are not scores and are skipped.
 *
 * Runs: SciFact and NFCorpus slices through every --backend (embedded exact + BM25, OpenSearch with vectors
 * computed here + its BM25 and hybrid query, opensearch-ml), each with a symmetric, an asymmetric, a BM25 and an
 * RRF hybrid system. Both checkouts use the same --index-prefix, so OpenSearch indexes built by the first are
 * reused by the second only when their names, mappings and fingerprints agree (HNSW graphs are rebuilt otherwise,
 * and an approximate search could then differ for that reason alone).
 *
 * Usage: npm run compare:checkouts -- --before ../wt-before [--after .] [--data-dir ../shared/beir]
 *          [--max-docs 200] [--max-queries 10] [--backends embedded,opensearch,opensearch-ml] [--prefix beir-bench-compare]
 * Needs $BEIR_BENCH_MODELS_DIR (or the default models folder), $OPENSEARCH_URL; set $BEIR_BENCH_CACHE to share vectors.
 * Exit status 1 when any score differs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const beforeArg = arg('before', '');
if (!beforeArg) {
  process.stderr.write('usage: compare-checkouts --before DIR [--after DIR] [--data-dir DIR] [--max-docs N] [--max-queries N] [--backends LIST]\n');
  process.exit(2);
}
const checkouts = { before: resolve(beforeArg), after: resolve(arg('after', '.')) };
const dataDir = resolve(arg('data-dir', '../shared/beir'));
const backends = arg('backends', 'embedded,opensearch,opensearch-ml').split(',');
const prefix = arg('prefix', 'beir-bench-compare');
const ARMS = 'symmetric,asymmetric,bm25,hybrid(bm25+asymmetric)';

/** Run one bench with a checkout's own code; the results folder it wrote. */
function bench(checkout: string, backend: string, out: string): string {
  const args = [
    join(checkout, 'src/cli.ts'), 'bench', '--dataset', 'scifact', '--dataset', 'nfcorpus', '--data-dir', dataDir,
    '--max-docs', arg('max-docs', '200'), '--max-queries', arg('max-queries', '10'), '--arms', ARMS, '--backend', backend,
    '--index-prefix', `${prefix}-${backend}`, '--permutations', '1000', '--out', out, '--format', 'json', '--quiet',
  ];
  process.stderr.write(`${checkout}: bench --backend ${backend}\n`);
  const r = spawnSync(join(checkout, 'node_modules/.bin/tsx'), args, { cwd: checkout, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${checkout} bench --backend ${backend} failed (${r.status}):\n${r.stderr}`);
  return out;
}

/** Everything in a results.json that is a score or decides one; timings, paths and ids of the run left out. */
function scores(results: any): unknown {
  const withoutTimings = (x: any) => (x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'seconds' && k !== 'timings')) : x);
  return {
    systems: results.systems,
    datasets: results.datasets.map((d: any) => ({
      name: d.name,
      docs: d.docs,
      queries: d.queries,
      systems: d.systems.map((s: any) => ({
        system: s.system,
        mean: s.mean,
        perQuery: s.perQuery,
        queriesScored: s.queriesScored,
        selfHitsRemoved: s.selfHitsRemoved,
        approximation: s.approximation,
        audit: withoutTimings(s.audit),
        inputs: s.inputs && { queries: s.inputs.queries.sha256, passages: s.inputs.passages.sha256 },
      })),
      comparisons: d.comparisons,
      invariantViolations: d.invariantViolations,
    })),
  };
}

/** Paths (a.b[2].c) where two values differ, at most `limit`. */
function differences(a: unknown, b: unknown, path = '', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences((a as any)[k], (b as any)[k], `${path}.${k}`, out, limit);
  } else out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}

async function runFolder(out: string): Promise<string> {
  const [id] = await readdir(out);
  return join(out, id);
}

const root = await mkdtemp(join(tmpdir(), 'beir-bench-compare-'));
let failed = false;
for (const backend of backends) {
  const dirs: Record<string, string> = {};
  for (const [name, checkout] of Object.entries(checkouts)) dirs[name] = await runFolder(bench(checkout, backend, join(root, name, backend)));
  const [before, after] = await Promise.all([dirs.before, dirs.after].map(async (d) => JSON.parse(await readFile(join(d, 'results.json'), 'utf8'))));
  const diffs = differences(scores(before), scores(after));
  const runFiles = (await readdir(join(dirs.before, 'runs'))).sort();
  const afterRuns = (await readdir(join(dirs.after, 'runs'))).sort();
  if (!isDeepStrictEqual(runFiles, afterRuns)) diffs.push(`run files: ${runFiles.join(', ')} vs ${afterRuns.join(', ')}`);
  for (const f of runFiles.filter((x) => afterRuns.includes(x))) {
    const [x, y] = await Promise.all([dirs.before, dirs.after].map((d) => readFile(join(d, 'runs', f), 'utf8')));
    if (x !== y) diffs.push(`runs/${f} differs`);
  }
  const systems = before.datasets.flatMap((d: any) => d.systems.map((s: any) => `${d.name}/${s.system}`));
  const values = JSON.stringify(scores(before)).match(/-?\d+(\.\d+)?(e-?\d+)?/g)?.length ?? 0;
  process.stdout.write(`--backend ${backend}: ${systems.length} system runs (${systems.join(', ')}), ${runFiles.length} run files, ${values} numbers: ${diffs.length === 0 ? 'identical' : 'DIFFERENT'}\n`);
  for (const d of diffs) process.stdout.write(`  ${d}\n`);
  failed ||= diffs.length > 0;
}
process.stdout.write(`results under ${root}\n`);
process.exit(failed ? 1 : 0);

/**
 * Scoring speed: generate a TREC run of Q queries x D docs (default 10,000 x 1,000 = 10M lines) and
 * qrels, then score it with the streaming evaluator; print lines/s and peak RSS.
 * Usage: npm run bench:eval [-- --queries 10000 --docs 1000]
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { evaluateRunFile } from '../src/eval/evaluate-file.js';
import { DEFAULT_METRICS, parseMetricList } from '../src/eval/eval-input.js';
import { readQrels } from '../src/formats/qrels-file.js';
import { Prng } from '../src/eval/prng.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function writeLines(path: string, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (const line of lines()) {
    buf += line;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const queries = arg('queries', 10_000);
const docs = arg('docs', 1_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-eval-'));
const runPath = join(dir, 'run.trec');
const qrelsPath = join(dir, 'qrels.tsv');
const rng = new Prng(1);
/** What `eval` scores by default. */
const METRICS = parseMetricList(DEFAULT_METRICS);
/** 18-character ids, long enough that V8 keeps substrings as views of their line (the costly case). */
const qid = (q: number) => `query-${String(q).padStart(12, '0')}`;
try {
  // Qrels: 1-20 judged docs per query, grades 0-2, drawn from the same doc id space as the run.
  await writeLines(qrelsPath, function* () {
    yield 'query-id\tcorpus-id\tscore\n';
    for (let q = 0; q < queries; q++) {
      const n = 1 + rng.nextInt(20);
      for (let i = 0; i < n; i++) yield `${qid(q)}\tdoc${rng.nextInt(docs * 2)}\t${rng.nextInt(3)}\n`;
    }
  });
  await writeLines(runPath, function* () {
    for (let q = 0; q < queries; q++) {
      // Random scores, unrelated to the rank column: the scorer must rank. Random doc ids may repeat
      // within a query, exercising last-wins.
      for (let r = 1; r <= docs; r++) {
        yield `${qid(q)} Q0 doc${rng.nextInt(docs * 2)} ${r} ${(rng.nextUint32() / 4294967296).toFixed(6)} bench\n`;
      }
    }
  });
  const lines = queries * docs;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const qrels = await readQrels(qrelsPath);
  const result = await evaluateRunFile(qrels, runPath, {
    metrics: METRICS,
    ignoreIdenticalIds: true,
    averageOverAllQrels: false,
  });
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  // CPU time next to wall time: on a shared machine the wall clock includes waiting for a core.
  console.log(`scored ${lines.toLocaleString('en-US')} run lines (${result.queriesScored} queries, ${METRICS.length} measures) in ${secs.toFixed(2)} s wall, ${cpuSecs.toFixed(2)} s CPU`);
  console.log(`${Math.round(lines / secs).toLocaleString('en-US')} lines/s, peak RSS ${rssMiB.toFixed(0)} MiB`);
  console.log(`NDCG@10 = ${result.mean['ndcg_cut.10'].toFixed(4)} (sanity: random run)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

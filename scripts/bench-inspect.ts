/**
 * Memory of `inspect` on a large corpus: a synthetic TREC-COVID-sized dataset (scripts/make-corpus.ts, 171,332
 * passages by default), two real BM25 runs over it (`bench --arms bm25`, run files 100 deep), then `inspect` of the
 * one against the other (columns r1.bm25, r2.bm25) showing --show queries, measured in a process of its own twice:
 * on the corpus the runs read (bytes match: no content digest) and on a copy with CRLF line endings (same records,
 * other bytes: the corpus's content digest is computed in the passage pass, 32 bytes per passage). Prints each
 * measurement's peak RSS, the RSS before inspecting (Node, tsx and the modules), and the time.
 *
 * Usage: npm run bench:inspect [-- --docs 171332 --queries 1000 --show 10]
 * The data (about 200 MB, twice) goes to a temp folder removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatherEvidence } from '../src/inspect/gather.js';
import { renderHtmlSection } from '../src/inspect/html.js';
import { renderTerminal } from '../src/inspect/terminal.js';
import { combineResults } from '../src/report/combine.js';
import { readResults } from '../src/results/read-results.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '171332' },
    queries: { type: 'string', default: '1000' },
    show: { type: 'string', default: '10' },
    // Internal: the measuring child. RUN1,RUN2 and the data folder to read.
    measure: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

if (values.measure) {
  const [r1, r2] = values.measure.split(',');
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const inputs = await Promise.all([r1, r2].map(async (dir) => ({ results: await readResults(join(dir, 'results.json')), source: join(dir, 'results.json') })));
  const model = combineResults(inputs);
  const ids = Object.keys(model.datasets[0].cells[0].results.perQuery).slice(0, Number(values.show));
  const evidence = await gatherEvidence(model, { top: 5, queries: ids, baseline: 'r1.bm25', system: 'r2.bm25', dataDir: values['data-dir'] });
  const text = renderTerminal(evidence, { width: 160, snippet: 160 }) + renderHtmlSection(evidence, 240);
  const shown = Object.keys(evidence.datasets[0].passages).length;
  console.log(
    JSON.stringify({ rssBefore: before, peakRss: process.resourceUsage().maxRSS * 1024, seconds: (performance.now() - started) / 1000, passagesShown: shown, outputChars: text.length }),
  );
  process.exit(0);
}

const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const work = await mkdtemp(join(tmpdir(), 'beir-bench-inspect-memory-'));
try {
  const data = join(work, 'data');
  cli(['scripts/make-corpus.ts', '--out', data, '--name', 'trec-covid', '--docs', values.docs!, '--queries', values.queries!]);
  const runs: string[] = [];
  for (const n of [1, 2]) {
    const out = join(work, `runs${n}`);
    cli(['src/cli.ts', 'bench', '--dataset', 'trec-covid', '--data-dir', data, '--arms', 'bm25', '--depth', '100', '--permutations', '100', '--quiet', '--out', out]);
    runs.push(join(out, (await readdir(out))[0]));
  }
  // The same records with other bytes: CRLF line endings.
  const crlf = join(work, 'crlf');
  await cp(data, crlf, { recursive: true });
  const corpus = join(crlf, 'trec-covid', 'corpus.jsonl');
  await writeFile(corpus, (await readFile(corpus, 'utf8')).replace(/\n/g, '\r\n'));

  console.log(`inspect r2.bm25 vs r1.bm25 on ${Number(values.docs).toLocaleString('en-US')} synthetic passages, ${values.queries} queries, run files 100 deep, ${values.show} queries asked + top 5 losses/gains:`);
  for (const [what, dir] of [['corpus as the runs read it (bytes match)', data], ['CRLF copy (content digest computed)', crlf]] as const) {
    const m = JSON.parse(cli(['scripts/bench-inspect.ts', '--measure', runs.join(','), '--data-dir', dir, '--show', values.show!]).trim().split('\n').pop()!) as {
      rssBefore: number;
      peakRss: number;
      seconds: number;
      passagesShown: number;
    };
    console.log(`  ${what}: peak RSS ${MiB(m.peakRss)} (RSS ${MiB(m.rssBefore)} before inspecting), ${m.seconds.toFixed(1)} s, ${m.passagesShown} passages kept`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

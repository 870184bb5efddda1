/**
 * Checks `inspect --format json` output against the files of the run it inspected, read here independently of src/:
 * every hit shown is the run file's line of that query and rank (doc id and score), in order; every relevance mark
 * is the qrels' judgment; each relevant passage's rank is the one the run file gives it; query texts and passages
 * are the dataset's; and the losses and gains shown are the largest by results.json's per-query scores. The same
 * property test/inspect/inspect.test.ts checks on a slice, for a full run (e.g. ArguAna, 1,406 queries, run files
 * 100 deep) that CI does not have.
 *
 * Usage:
 *   npx tsx src/cli.ts inspect results/<run> --format json --out evidence.json
 *   npx tsx scripts/check-inspect-run.ts results/<run> evidence.json [--data-dir ../shared/beir]
 * Prints what it checked and every mismatch; exits 1 on any mismatch.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { InspectModel } from '../src/inspect/evidence.js';
import type { ResultsFile } from '../src/results/schema.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'data-dir': { type: 'string', default: '../shared/beir' } } });
if (positionals.length !== 2) {
  console.error('usage: npx tsx scripts/check-inspect-run.ts <run folder> <inspect --format json output> [--data-dir ../shared/beir]');
  process.exit(2);
}
const [runDir, evidencePath] = positionals;
const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as ResultsFile;
const evidence = JSON.parse(await readFile(evidencePath, 'utf8')) as InspectModel;

const jsonl = async (path: string) =>
  (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { _id: string; title?: string; text: string });

const mismatches: string[] = [];
const counts = { queries: 0, hits: 0, marks: 0, relevantRanks: 0, passages: 0 };
const expectEqual = (what: string, got: unknown, want: unknown) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${what}: inspect shows ${JSON.stringify(got)}, the files say ${JSON.stringify(want)}`);
};

for (const ds of evidence.datasets) {
  const recorded = results.datasets.find((d) => d.name === ds.name)!;
  const folder = join(values['data-dir']!, ds.name);
  // Run files as written: system -> query -> lines in file order.
  const runs = new Map<string, Map<string, { docId: string; rank: number; score: number }[]>>();
  for (const s of recorded.systems) {
    const perQuery = new Map<string, { docId: string; rank: number; score: number }[]>();
    for (const line of (await readFile(join(runDir, s.runFile), 'utf8')).split('\n').filter(Boolean)) {
      const [q, , docId, rank, score] = line.split(' ');
      perQuery.set(q, [...(perQuery.get(q) ?? []), { docId, rank: Number(rank), score: Number(score) }]);
    }
    runs.set(s.system, perQuery);
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const row of (await readFile(join(folder, 'qrels', `${recorded.split}.tsv`), 'utf8')).split('\n').slice(1).filter(Boolean)) {
    const [q, d, g] = row.split('\t');
    qrels.set(q, (qrels.get(q) ?? new Map()).set(d, Number(g)));
  }
  const queryText = new Map((await jsonl(join(folder, 'queries.jsonl'))).map((q) => [q._id, q.text]));
  const corpus = new Map((await jsonl(join(folder, 'corpus.jsonl'))).map((p) => [p._id, { title: p.title ?? '', text: p.text }]));

  for (const c of ds.comparisons) {
    const perQuery = (id: string) => recorded.systems.find((s) => s.system === id)!.perQuery;
    const [a, b] = [perQuery(c.a.id), perQuery(c.b.id)];
    const diffs = Object.keys(a).map((q) => ({ q, d: b[q][c.metric] - a[q][c.metric] }));
    for (const kind of ['loss', 'gain'] as const) {
      const sign = kind === 'loss' ? -1 : 1;
      const shown = c.shown.filter((q) => q.reason.kind === kind).map((q) => q.id);
      const largest = diffs.filter((x) => Math.sign(x.d) === sign).sort((x, y) => sign * (y.d - x.d) || (x.q < y.q ? -1 : 1)).slice(0, shown.length);
      expectEqual(`${ds.name} ${c.b.id} vs ${c.a.id}: largest ${kind}es`, shown, largest.map((x) => x.q));
    }
    for (const q of c.shown) {
      counts.queries++;
      expectEqual(`${q.id}: query text`, q.text, queryText.get(q.id));
      const judged = qrels.get(q.id) ?? new Map<string, number>();
      for (const [system, hits] of [[c.a.id, q.hitsA], [c.b.id, q.hitsB]] as const) {
        const file = runs.get(system)!.get(q.id) ?? [];
        expectEqual(`${q.id} ${system}: hits (rank, doc, score)`, hits.map((h) => ({ docId: h.docId, rank: h.rank, score: h.score })), file.slice(0, c.k));
        counts.hits += hits.length;
        for (const h of hits) {
          const grade = judged.get(h.docId);
          expectEqual(`${q.id} ${system} rank ${h.rank}: mark`, h.relevance, grade === undefined ? { kind: 'unjudged' } : grade >= 1 ? { kind: 'relevant', grade } : { kind: 'judged', grade });
          counts.marks++;
          if (!ds.passages[h.docId]) mismatches.push(`${q.id} ${system} rank ${h.rank}: no passage for ${h.docId}`);
        }
      }
      const rankIn = (system: string, doc: string) => runs.get(system)!.get(q.id)?.find((l) => l.docId === doc)?.rank ?? null;
      const relevant = [...judged].filter(([, g]) => g >= 1).map(([d, g]) => ({ docId: d, grade: g, rankA: rankIn(c.a.id, d), rankB: rankIn(c.b.id, d) }));
      const byDoc = (x: { docId: string }, y: { docId: string }) => (x.docId < y.docId ? -1 : 1);
      expectEqual(`${q.id}: relevant passages and their ranks`, [...q.relevant].sort(byDoc), relevant.sort(byDoc));
      counts.relevantRanks += relevant.length;
    }
  }
  for (const [id, p] of Object.entries(ds.passages)) {
    expectEqual(`${id}: passage`, { title: p.title, text: p.text }, corpus.get(id));
    counts.passages++;
  }
}

for (const m of mismatches) console.log(`MISMATCH ${m}`);
console.log(
  `checked ${counts.queries} queries: ${counts.hits} hits against the run files, ${counts.marks} relevance marks against the qrels, ` +
    `${counts.relevantRanks} relevant passages' ranks, ${counts.passages} passages against the corpus: ${mismatches.length} mismatches`,
);
process.exitCode = mismatches.length ? 1 : 0;

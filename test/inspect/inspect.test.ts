/**
 * `beir-bench inspect` on a real run: a SciFact slice (BM25 vs asymmetric e5-small-v2, run files 20 deep) benched
 * in the test. Every hit shown is checked against the run file line for line, every relevance mark against the qrels
 * file (both parsed here, independently of src/), the losses and gains against results.json's per-query scores;
 * the markdown is parsed with `marked` (a table per query); bad input ends in one line, exit 2, nothing written;
 * and the report.html section is opened in headless Chromium (a query block opens, relevant hits are marked in the
 * light, dark and print renderings, nothing overflows at the report's width).
 */
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked, type Tokens } from 'marked';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectModel } from '../../src/inspect/evidence.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { reorderedCopy } from '../helpers/reordered-dataset.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = hasSharedBeir() ? warnIfNoModels('inspect on a real run') : null;
const withBrowser = Boolean(modelsDir) && hasChromium();

let work: string;
let runDir: string;
let results: ResultsFile;
/** The run files as written: per system id, per query, the lines in file order. */
const lines = new Map<string, Map<string, { docId: string; rank: number; score: number }[]>>();
/** The qrels file: query -> doc -> grade. */
const qrels = new Map<string, Map<string, number>>();
let evidence: InspectModel;

async function inspect(args: string[]) {
  return runCli(['inspect', runDir, ...args]);
}

describe.skipIf(!modelsDir)('inspect on a SciFact slice run', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-inspect-'));
    const r = await runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'bm25,asymmetric', '--max-queries', '8', '--max-docs', '40',
      '--depth', '20', '--permutations', '200', '--quiet', '--out', join(work, 'runs'), '--models-dir', modelsDir!, '--embed-cache-dir', join(work, 'embeddings'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    runDir = join(work, 'runs', (await readdir(join(work, 'runs')))[0]);
    results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as ResultsFile;
    for (const s of results.datasets[0].systems) {
      const perQuery = new Map<string, { docId: string; rank: number; score: number }[]>();
      for (const line of (await readFile(join(runDir, s.runFile), 'utf8')).split('\n').filter(Boolean)) {
        const [q, , docId, rank, score] = line.split(' ');
        perQuery.set(q, [...(perQuery.get(q) ?? []), { docId, rank: Number(rank), score: Number(score) }]);
      }
      lines.set(s.system, perQuery);
    }
    for (const row of (await readFile(join(SHARED_BEIR, 'scifact', 'qrels', 'test.tsv'), 'utf8')).split('\n').slice(1).filter(Boolean)) {
      const [q, d, g] = row.split('\t');
      qrels.set(q, (qrels.get(q) ?? new Map()).set(d, Number(g)));
    }
    const j = await inspect(['--format', 'json', '--top', '3']);
    expect(j.code, j.stderr).toBe(0);
    evidence = JSON.parse(j.stdout) as InspectModel;
  }, 900_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the largest losses and gains of the recorded comparison, ranked by results.json\'s per-query NDCG@10', () => {
    const [c] = evidence.datasets[0].comparisons;
    expect([c.a.id, c.b.id]).toEqual(['bm25', 'e5-small-v2.asymmetric']);
    const [a, b] = results.datasets[0].systems;
    const diffs = Object.keys(a.perQuery).map((q) => ({ q, d: b.perQuery[q]['ndcg_cut.10'] - a.perQuery[q]['ndcg_cut.10'] }));
    const top = (sign: number) => diffs.filter((x) => Math.sign(x.d) === sign).sort((x, y) => sign * (y.d - x.d) || (x.q < y.q ? -1 : 1)).slice(0, 3).map((x) => x.q);
    expect(c.shown.map((q) => q.id)).toEqual([...top(-1), ...top(1)]);
    expect(c.shown.length).toBeGreaterThan(0);
    for (const q of c.shown) {
      expect(q.measures[0]).toEqual({ metric: 'ndcg_cut.10', a: a.perQuery[q.id]['ndcg_cut.10'], b: b.perQuery[q.id]['ndcg_cut.10'], diff: b.perQuery[q.id]['ndcg_cut.10'] - a.perQuery[q.id]['ndcg_cut.10'] });
      expect(q.words).toBe(results.datasets[0].queryWords![q.id]);
    }
  });

  it('every hit shown is the run file\'s line of that rank, and every mark is the qrels\' judgment', () => {
    const [c] = evidence.datasets[0].comparisons;
    let relevantSeen = 0;
    for (const q of c.shown) {
      for (const [system, hits] of [[c.a.id, q.hitsA], [c.b.id, q.hitsB]] as const) {
        const file = lines.get(system)!.get(q.id)!;
        expect(hits.map((h) => ({ docId: h.docId, rank: h.rank, score: h.score }))).toEqual(file.slice(0, 10));
        for (const h of hits) {
          const grade = qrels.get(q.id)?.get(h.docId);
          expect(h.relevance).toEqual(grade === undefined ? { kind: 'unjudged' } : grade >= 1 ? { kind: 'relevant', grade } : { kind: 'judged', grade });
          if (grade !== undefined && grade >= 1) relevantSeen++;
          expect(evidence.datasets[0].passages[h.docId]).toBeDefined();
        }
      }
      // Each relevant doc with the rank each run file gives it (null: not among its 20 lines).
      const rankIn = (system: string, doc: string) => lines.get(system)!.get(q.id)!.find((l) => l.docId === doc)?.rank ?? null;
      const judged = [...qrels.get(q.id)!].filter(([, g]) => g >= 1);
      expect(q.relevant.map((r) => r.docId).sort()).toEqual(judged.map(([d]) => d).sort());
      for (const r of q.relevant) expect([r.rankA, r.rankB]).toEqual([rankIn(c.a.id, r.docId), rankIn(c.b.id, r.docId)]);
    }
    expect(relevantSeen).toBeGreaterThan(0);
  });

  it('summarises every query: the first relevant passage\'s move from the run files, and the change by number of relevant passages', () => {
    const [c] = evidence.datasets[0].comparisons;
    expect(c.rankShift.reduce((s, r) => s + r.queries, 0)).toBe(c.queries);
    const first = (system: string, q: string) => lines.get(system)!.get(q)?.find((l) => (qrels.get(q)!.get(l.docId) ?? 0) >= 1)?.rank ?? null;
    const ids = Object.keys(results.datasets[0].systems[0].perQuery);
    const same = ids.filter((q) => first(c.a.id, q) !== null && first(c.a.id, q)! <= 10 && first(c.a.id, q) === first(c.b.id, q)).length;
    expect(c.rankShift.find((r) => r.label === 'same rank')!.queries).toBe(same);
    const gained = ids.filter((q) => (first(c.a.id, q) ?? 99) > 10 && (first(c.b.id, q) ?? 99) <= 10).length;
    expect(c.rankShift.find((r) => r.label === 'gained into the top 10')!.queries).toBe(gained);
    expect(c.byRelevantCount.reduce((s, r) => s + r.queries, 0)).toBe(c.queries);
  });

  it('prints on a terminal the query text, both systems\' hits and the rank-shift view', async () => {
    const r = await inspect(['--top', '1']);
    expect(r.code, r.stderr).toBe(0);
    const q = evidence.datasets[0].comparisons[0].shown[0];
    expect(r.stdout).toContain('Where the first relevant passage moved');
    expect(r.stdout).toContain(q.id);
    expect(r.stdout).toContain(q.hitsA[0].docId);
    expect(r.stdout).toContain('A = BM25');
  });

  it('writes markdown whose query blocks parse as a heading, the query quoted and a table of both systems\' hits', async () => {
    const r = await inspect(['--format', 'md', '--top', '3']);
    expect(r.code, r.stderr).toBe(0);
    const [c] = evidence.datasets[0].comparisons;
    const tokens = marked.lexer(r.stdout);
    const blocks = tokens.flatMap((t, i) => (t.type === 'heading' && (t as Tokens.Heading).depth === 4 ? [i] : []));
    expect(blocks).toHaveLength(c.shown.length);
    blocks.forEach((at, n) => {
      const q = c.shown[n];
      const rest = tokens.slice(at + 1).filter((t) => t.type !== 'space');
      expect((tokens[at] as Tokens.Heading).text).toContain(q.id);
      expect(rest[0].type).toBe('blockquote');
      const table = rest.find((t) => t.type === 'table') as Tokens.Table;
      expect(table.header.map((h) => h.text)).toEqual(['#', c.a.label, 'rel.', c.b.label, 'rel.']);
      expect(table.rows).toHaveLength(Math.max(q.hitsA.length, q.hitsB.length));
      table.rows.forEach((row, i) => {
        expect(row[0].text).toBe(String(i + 1));
        if (q.hitsA[i]) expect(row[1].text.startsWith(q.hitsA[i].docId)).toBe(true);
        if (q.hitsB[i]) expect(row[3].text.startsWith(q.hitsB[i].docId)).toBe(true);
        expect(row[2].text).toBe(q.hitsA[i] ? (q.hitsA[i].relevance.kind === 'relevant' ? `✓${(q.hitsA[i].relevance as { grade: number }).grade}` : q.hitsA[i].relevance.kind === 'judged' ? '✗' : '·') : '');
      });
    });
    // The summary views are tables too.
    expect(tokens.filter((t) => t.type === 'table').length).toBe(c.shown.length + 3);

    // report --inspect appends the same blocks to report.md; JSON reports refuse it.
    const report = await runCli(['report', runDir, '--inspect', '3']);
    expect(report.code, report.stderr).toBe(0);
    const reportTokens = marked.lexer(report.stdout);
    const at = reportTokens.findIndex((t) => t.type === 'heading' && (t as Tokens.Heading).text === 'Per-query evidence');
    expect(at).toBeGreaterThan(0);
    expect(reportTokens.slice(at).filter((t) => t.type === 'heading' && (t as Tokens.Heading).depth === 4)).toHaveLength(c.shown.length);
    const json = await runCli(['report', runDir, '--inspect', '3', '--format', 'json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--inspect adds a section to md and html reports, not json/);
  });

  it('reads a dataset folder rebuilt in another order (same records) and refuses one whose passages changed', async () => {
    const copies = join(work, 'copies');
    await reorderedCopy(join(SHARED_BEIR, 'scifact'), join(copies, 'reordered', 'scifact'));
    const ok = await inspect(['--format', 'json', '--top', '3', '--data-dir', join(copies, 'reordered')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as InspectModel).datasets[0].passages).toEqual(evidence.datasets[0].passages);

    const changed = join(copies, 'changed', 'scifact');
    await cp(join(SHARED_BEIR, 'scifact'), changed, { recursive: true });
    const corpus = (await readFile(join(changed, 'corpus.jsonl'), 'utf8')).replace('"text": "', '"text": "EDITED ');
    await writeFile(join(changed, 'corpus.jsonl'), corpus);
    const out = join(work, 'changed.md');
    const r = await inspect(['--data-dir', join(copies, 'changed'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/corpus\.jsonl is not the file .* was run on \(content digest/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const out = join(work, 'bad.txt');
    const noRuns = join(work, 'no-runs');
    await mkdir(noRuns, { recursive: true });
    await copyFile(join(runDir, 'results.json'), join(noRuns, 'results.json'));
    const moved = JSON.parse(JSON.stringify(results)) as ResultsFile;
    moved.datasets[0].folder = join(work, 'gone', 'scifact');
    const movedDir = join(work, 'moved');
    await cp(runDir, movedDir, { recursive: true });
    await writeFile(join(movedDir, 'results.json'), JSON.stringify(moved));
    const cases: [string[], RegExp][] = [
      [[runDir, '--query', 'no-such-query'], /--query no-such-query: not a query both systems scored in Asymmetric vs BM25 on SciFact/],
      [[runDir, '--system', 'e5-small-v2.symmetric'], /system "e5-small-v2.symmetric" is not a system of the results for SciFact/],
      [[runDir, '--metric', 'P@5'], /--metric P@5: the results hold NDCG@10, MAP@10, Recall@10/],
      [[noRuns], /run file .*bm25\.trec \(listed in its results.json\) is missing/],
      [[movedDir], /dataset folder .*gone\/scifact \(recorded by .*\) is not there: .*--data-dir/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['inspect', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      await expect(stat(out)).rejects.toThrow();
    }
  });

  describe.skipIf(!withBrowser)('the report.html section in headless Chromium', () => {
    let browser: Browser;
    let page: string;

    beforeAll(async () => {
      const r = await runCli(['report', runDir, '--format', 'html', '--out', join(work, 'report'), '--inspect', '3']);
      expect(r.code, r.stderr).toBe(0);
      page = `file://${join(work, 'report', 'report.html')}`;
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
    });

    for (const scheme of ['light', 'dark'] as const) {
      it(`${scheme}: a query block opens, relevant hits are marked as the qrels say, nothing overflows the page`, async () => {
        const p = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: scheme });
        await p.goto(page);
        const [c] = evidence.datasets[0].comparisons;
        const blocks = p.locator('details.inspect-query');
        expect(await blocks.count()).toBe(c.shown.length);
        const first = blocks.first();
        expect(await first.locator('table.hits').isVisible()).toBe(false);
        await first.locator('summary').first().click();
        expect(await first.locator('table.hits').isVisible()).toBe(true);
        const q = c.shown[0];
        const cells = await first.locator('table.hits tbody tr').evaluateAll((trs) =>
          trs.map((tr) =>
            [...tr.querySelectorAll('td.hit')].map((td) => ({
              cls: td.className,
              mark: td.querySelector('.mark')?.textContent ?? '',
              doc: td.querySelector('code')?.textContent ?? '',
              border: getComputedStyle(td).borderLeftStyle,
              markColor: getComputedStyle(td.querySelector('.mark') ?? td).color,
              background: getComputedStyle(document.body).backgroundColor,
            })),
          ),
        );
        cells.forEach(([a, b], i) => {
          for (const [cell, hit] of [[a, q.hitsA[i]], [b, q.hitsB[i]]] as const) {
            if (!hit) continue;
            expect(cell.doc).toBe(hit.docId);
            expect(cell.cls).toBe(`hit ${hit.relevance.kind}`);
            expect(cell.border).toBe(hit.relevance.kind === 'relevant' ? 'solid' : hit.relevance.kind === 'judged' ? 'dashed' : 'solid');
            if (hit.relevance.kind === 'relevant') {
              expect(cell.mark).toBe(`✓${hit.relevance.grade}`);
              expect(cell.markColor).not.toBe(cell.background);
            }
          }
        });
        // A long passage opens to its full text.
        const passage = first.locator('details.passage').first();
        if (await passage.count()) {
          await passage.locator('summary').click();
          const doc = await passage.evaluate((d) => d.closest('td')!.querySelector('code')!.textContent!);
          expect(await passage.textContent()).toContain(evidence.datasets[0].passages[doc].text.slice(-40));
        }
        const overflow = await p.evaluate(() => ({
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          tables: [...document.querySelectorAll('table.hits')].map((t) => t.scrollWidth - t.clientWidth),
        }));
        expect(overflow.page).toBeLessThanOrEqual(0);
        expect(Math.max(...overflow.tables)).toBeLessThanOrEqual(0);
        await p.close();
      });
    }

    it('print: the relevant marks stay text and a solid rule', async () => {
      const p = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
      await p.goto(page);
      await p.emulateMedia({ media: 'print' });
      const marks = await p.locator('td.hit.relevant').evaluateAll((tds) => tds.map((td) => [getComputedStyle(td).borderLeftStyle, td.querySelector('.mark')!.textContent]));
      expect(marks.length).toBeGreaterThan(0);
      for (const [style, mark] of marks) {
        expect(style).toBe('solid');
        expect(mark).toMatch(/^✓\d+$/);
      }
      await p.close();
    });
  });
});

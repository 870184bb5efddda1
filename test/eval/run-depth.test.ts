import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCompare, type CompareArgs } from '../../src/commands/compare.js';
import { runEval, type EvalArgs } from '../../src/commands/eval.js';
import { UserError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { tempFile } from '../helpers/inputs.js';
import { describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

/**
 * A run file shallower than a cutoff is refused, not silently cut (src/eval/run-depth.ts, docs/METRICS.md "Run
 * depth"). The real run: BM25 on SciFact, 100 hits per query; cut to 10 it is what `bench -k 10` used to write.
 */
const F = 'test/fixtures/eval';
const DEEP = `${F}/scifact-bm25-title-text.trec`;
const QRELS = `${SHARED_BEIR}/scifact/qrels/test.tsv`;

/** The first `depth` lines of each query of a run file (it lists each query's hits in rank order). */
function cut(path: string, depth: number): string {
  const seen = new Map<string, number>();
  const kept = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => {
      const q = l.slice(0, l.indexOf(' '));
      seen.set(q, (seen.get(q) ?? 0) + 1);
      return seen.get(q)! <= depth;
    });
  return tempFile(`cut${depth}.trec`, `${kept.join('\n')}\n`);
}

const evalArgs = (over: Partial<EvalArgs>): EvalArgs => ({
  qrels: QRELS,
  run: DEEP,
  qrelsFormat: 'auto',
  perQuery: false,
  allQrels: false,
  ignoreIdenticalIds: true,
  json: true,
  ...over,
});

const compareArgs = (over: Partial<CompareArgs>): CompareArgs => ({
  qrels: QRELS,
  qrelsFormat: 'auto',
  runs: [DEEP, DEEP],
  allQrels: false,
  ignoreIdenticalIds: true,
  permutations: 200,
  bootstrapSamples: 200,
  seed: 1,
  json: false,
  ...over,
});

const mean = async (over: Partial<EvalArgs>) => JSON.parse((await runEval(evalArgs(over))).output).mean as Record<string, number>;

describeWithShared('run files shallower than a cutoff (real SciFact BM25 run)', () => {
  it('eval: a requested cutoff deeper than the run is an error naming the file and the cutoff', async () => {
    const shallow = cut(DEEP, 10);
    const err = await runEval(evalArgs({ run: shallow, metrics: 'NDCG@10,Recall@100' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`^${shallow.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is shallower than the cutoff of Recall@100: no query holds more than 10 hits once its self hit is removed,`));
    // The deep run scores it: recall_100 = 0.8852 (README), not recall_10 = 0.7851.
    expect((await mean({ metrics: 'NDCG@10,Recall@100' }))['recall.100']).toBeCloseTo(0.8852, 4);
  });

  it('eval as a command: one error line, exit 2', async () => {
    const shallow = cut(DEEP, 10);
    const r = await runCli(['eval', '--qrels', QRELS, '--run', shallow, '-m', 'recall.100']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*cut10\.trec is shallower than the cutoff of Recall@100: .* pass --complete-runs if every list is whole/);
  });

  it('eval with the default measures: those deeper than the run are left out with a note; the rest are unchanged', async () => {
    const shallow = cut(DEEP, 10);
    const out = await runEval(evalArgs({ run: shallow }));
    const j = JSON.parse(out.output);
    expect(j.metrics).toEqual(['ndcg_cut.10', 'map_cut.10', 'recall.10', 'P.10', 'recip_rank.10']);
    expect(out.notes).toContain(
      `Recall@100 left out: no query of ${shallow} holds more than 10 hits, so the run may have been cut shallower than the cutoff ` +
        '(ask for it with --metrics to see why, or pass --complete-runs if every list is whole)',
    );
    const full = await mean({});
    for (const m of j.metrics) expect(j.mean[m]).toBe(full[m]);
    expect(Object.keys(full)).toContain('recall.100');
  });

  it('a query with fewer hits than the cutoff in a run deep enough elsewhere is a whole list, scored as trec_eval does', async () => {
    // One query keeps only its top 5 (a lexical engine that matched 5 docs); the others keep 100.
    const lines = readFileSync(DEEP, 'utf8').trimEnd().split('\n');
    const first = lines[0].slice(0, lines[0].indexOf(' '));
    const run = tempFile('short-query.trec', `${lines.filter((l, i) => !l.startsWith(`${first} `) || i < 5).join('\n')}\n`);
    const out = await runEval(evalArgs({ run, metrics: 'Recall@100', perQuery: true }));
    const j = JSON.parse(out.output);
    expect(j.queriesScored).toBe(300);
    expect(out.notes).toEqual(['averaged 300 queries']);
    // That query scores its 5 hits; every other query scores as in the untouched run.
    const full = JSON.parse((await runEval(evalArgs({ metrics: 'Recall@100', perQuery: true }))).output).perQuery;
    const changed = Object.keys(full).filter((q) => full[q]['recall.100'] !== j.perQuery[q]['recall.100']);
    expect(changed.every((q) => q === first)).toBe(true);
  });

  it('compare: explicit cutoffs deeper than either run are refused, naming that run', async () => {
    const shallow = cut(DEEP, 10);
    await expect(runCompare(compareArgs({ runs: [DEEP, shallow], metrics: 'NDCG@10,Recall@100' }))).rejects.toThrow(
      `${shallow} is shallower than the cutoff of Recall@100`,
    );
    const out = await runCompare(compareArgs({ runs: [DEEP, shallow] }));
    expect(out.comparisons.map((c) => c.metric)).toEqual(['ndcg_cut.10', 'map_cut.10', 'recall.10', 'P.10', 'recip_rank.10']);
    expect(out.notes.some((n) => n.startsWith(`Recall@100 left out: no query of ${shallow}`))).toBe(true);
    // Cut at 10, the @10 measures are the same run: every query ties.
    expect(out.comparisons.every((c) => c.ties === 300)).toBe(true);
  });
});

describe('whole lists shorter than the cutoff (a corpus smaller than it)', () => {
  // Three documents: every query lists all of them, so its list is whole; Recall@100 = Recall@10 = Recall@3 here.
  const qrels = tempFile('qrels.txt', 'q1 0 a 1\nq1 0 c 1\nq2 0 b 1\n');
  const run = tempFile('all-docs.trec', ['q1 Q0 a 1 3 t', 'q1 Q0 b 2 2 t', 'q1 Q0 c 3 1 t', 'q2 Q0 c 1 3 t', 'q2 Q0 a 2 2 t', 'q2 Q0 b 3 1 t'].join('\n'));
  const args = evalArgs({ qrels, run, metrics: 'recall.100,recall.2' });

  it('are refused without --complete-runs (the file cannot tell them from a cut run)', async () => {
    await expect(runEval(args)).rejects.toThrow(`${run} is shallower than the cutoff of Recall@100: no query holds more than 3 hits`);
  });

  it('are scored with --complete-runs, padded with non-relevant docs', async () => {
    const j = JSON.parse((await runEval({ ...args, completeRuns: true })).output);
    // q1 finds a (of a, c) in its top 2, q2 misses b: Recall@2 = (0.5 + 0) / 2.
    expect(j.mean).toEqual({ 'recall.100': 1, 'recall.2': 0.25 });
  });

  it('count hits after the self hit is removed: 3 listed with the query itself are 2 deep', async () => {
    const selfRun = tempFile('self.trec', ['q1 Q0 q1 1 3 t', 'q1 Q0 a 2 2 t', 'q1 Q0 c 3 1 t'].join('\n'));
    await expect(runEval({ ...args, run: selfRun, metrics: 'recall.3' })).rejects.toThrow('no query holds more than 2 hits once its self hit is removed');
    expect(JSON.parse((await runEval({ ...args, run: selfRun, metrics: 'recall.3', ignoreIdenticalIds: false })).output).mean['recall.3']).toBe(1);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCompare, type CompareArgs } from '../../src/commands/compare.js';
import { runEval, type EvalArgs } from '../../src/commands/eval.js';
import { UserError } from '../../src/errors.js';
import { DEFAULT_METRICS } from '../../src/eval/eval-input.js';
import { runCli } from '../helpers/cli.js';
import { tempFile } from '../helpers/inputs.js';
import { describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

// Two queries. q1: judged a=2, b=1, c=0; q2: judged x=1; q3 (qrels only): y=1.
const QRELS = 'q1 0 a 2\nq1 0 b 1\nq1 0 c 0\nq2 0 x 1\nq3 0 y 1\n';
// q1 ranks c, a, b (a at 2, b at 3). q2 ranks z then x (x at 2). qx has no qrels.
const RUN = ['q1 Q0 c 1 0.9 t', 'q1 Q0 a 2 0.8 t', 'q1 Q0 b 3 0.7 t', 'q2 Q0 z 1 0.6 t', 'q2 Q0 x 2 0.5 t', 'qx Q0 a 1 1 t'].join('\n') + '\n';

function evalArgs(over: Partial<EvalArgs> = {}): EvalArgs {
  return {
    qrels: tempFile('qrels.txt', QRELS),
    run: tempFile('run.trec', RUN),
    qrelsFormat: 'auto',
    metrics: 'ndcg_cut.10,P@2,recall.1',
    // Toy lists shorter than 10 are whole here (there is nothing more to retrieve): see the run-depth tests.
    completeRuns: true,
    perQuery: false,
    allQrels: false,
    ignoreIdenticalIds: true,
    json: false,
    ...over,
  };
}

describe('beir-bench eval', () => {
  it('prints trec_eval\'s three-column layout, names and 4-decimal values', async () => {
    const out = await runEval(evalArgs({ perQuery: true }));
    // q1: DCG = 2/log2(3) + 1/log2(4) = 1.26186 + 0.5 = 1.76186; ideal 2 + 1/log2(3) = 2.63093 -> 0.66968.
    //     P@2 = 1/2 (a); recall.1 = 0 (c is not relevant).
    // q2: NDCG = 1/log2(3) = 0.63093; P@2 = 1/2; recall.1 = 0.
    // all: NDCG (0.66968 + 0.63093) / 2 = 0.65031; P_2 0.5; recall_1 0.
    expect(out.output).toBe(
      [
        'ndcg_cut_10           \tq1\t0.6697',
        'P_2                   \tq1\t0.5000',
        'recall_1              \tq1\t0.0000',
        'ndcg_cut_10           \tq2\t0.6309',
        'P_2                   \tq2\t0.5000',
        'recall_1              \tq2\t0.0000',
        'ndcg_cut_10           \tall\t0.6503',
        'P_2                   \tall\t0.5000',
        'recall_1              \tall\t0.0000',
        '',
      ].join('\n'),
    );
    expect(out.notes).toEqual(['averaged 2 queries', '1 qrels queries are not in the run: skipped (use -c to score them 0)', '1 run queries have no qrels: skipped']);
    expect(out.violations).toEqual([]);
  });

  it('-c averages over all qrels queries: q3 scores 0', async () => {
    const out = await runEval(evalArgs({ allQrels: true, metrics: 'P.2' }));
    // (0.5 + 0.5 + 0) / 3 = 0.3333
    expect(out.output).toBe('P_2                   \tall\t0.3333\n');
    expect(out.notes[1]).toBe('1 qrels queries are not in the run: scored 0 (-c)');
  });

  it('--json keeps full precision', async () => {
    const out = await runEval(evalArgs({ json: true, metrics: 'ndcg_cut.10' }));
    const j = JSON.parse(out.output);
    const q1 = (2 / Math.log2(3) + 1 / Math.log2(4)) / (2 + 1 / Math.log2(3));
    expect(j.mean['ndcg_cut.10']).toBe((q1 + 1 / Math.log2(3)) / 2);
    expect(j.options).toEqual({ ignoreIdenticalIds: true, averageOverAllQrels: false });
    expect(j.perQuery).toBeUndefined();
    expect(JSON.parse((await runEval(evalArgs({ json: true, perQuery: true }))).output).perQuery.q2['P.2']).toBe(0.5);
  });

  it('reports a malformed run line by file and line', async () => {
    const run = tempFile('bad.trec', 'q1 Q0 a 1 0.5 t\nq1 Q0 b 2 zero t\n');
    await expect(runEval(evalArgs({ run }))).rejects.toThrow(`${run}:2: score must be a decimal number, got "zero"`);
  });

  it('an empty overlap is a clear UserError, not NaN', async () => {
    const run = tempFile('other.trec', 'zz Q0 a 1 0.5 t\n');
    const err = await runEval(evalArgs({ run })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^no query is in both the run \(1 queries, e.g. "zz"\) and the qrels \(3 queries/);
  });

  it('rejects an unknown metric', async () => {
    await expect(runEval(evalArgs({ metrics: 'ndcg@10,bpref' }))).rejects.toThrow(/unknown metric "bpref"/);
  });

  it('runs as a command: flags -q -c -m and --no-ignore-identical-ids parse', async () => {
    const a = evalArgs();
    const { code, stdout, stderr } = await runCli(['eval', '--qrels', a.qrels, '--run', a.run, '-m', 'P@2', '-q', '-c', '--no-ignore-identical-ids']);
    expect(code).toBe(0);
    expect(stdout).toBe(['P_2                   \tq1\t0.5000', 'P_2                   \tq2\t0.5000', 'P_2                   \tq3\t0.0000', 'P_2                   \tall\t0.3333', ''].join('\n'));
    expect(stderr).toContain('averaged 3 queries');
  });
});

describeWithShared('beir-bench compare', () => {
  const F = 'test/fixtures/eval';
  const args: CompareArgs = {
    qrels: `${SHARED_BEIR}/scifact/qrels/test.tsv`,
    qrelsFormat: 'auto',
    runs: [`${F}/scifact-bm25-text.trec`, `${F}/scifact-bm25-title-text.trec`],
    metrics: DEFAULT_METRICS,
    allQrels: false,
    ignoreIdenticalIds: true,
    permutations: 2000,
    bootstrapSamples: 2000,
    seed: 7,
    queries: `${SHARED_BEIR}/scifact/queries.jsonl`,
    json: false,
  };

  it('compares two real runs: means match eval, Holm set, identical output for the same seed', async () => {
    const first = await runCompare(args);
    const second = await runCompare(args);
    expect(second.output).toBe(first.output);
    const ndcg = first.comparisons[0];
    // Means of the two runs as `eval` reports them (cross-checked with pytrec_eval: 0.64620, 0.66329).
    expect(ndcg.meanA).toBeCloseTo(0.646202884755101, 14);
    expect(ndcg.meanB).toBeCloseTo(0.6632888676579938, 14);
    expect(ndcg.n).toBe(300);
    expect(first.comparisons.every((c) => c.pHolm !== undefined && c.pHolm >= c.pValue)).toBe(true);
    expect(first.lengthAnalysis?.n).toBe(300);
    expect(first.output).toContain('Spearman correlation of query length and gain');
  });

  it('a run compared with itself: p = 1, CI [0, 0], all ties', async () => {
    const out = await runCompare({ ...args, runs: [args.runs[0], args.runs[0]], queries: undefined });
    for (const c of out.comparisons) {
      expect(c.pValue).toBe(1);
      expect(c.ci95).toEqual([0, 0]);
      expect(c.ties).toBe(300);
    }
  });

  it('a real run against its reverse (scores negated): p at its floor 1/(2000 + 1), CI far from 0', async () => {
    const lines = readFileSync(args.runs[1], 'utf8').trimEnd().split('\n');
    const reversed = lines.map((l) => {
      const c = l.split(' ');
      return `${c[0]} Q0 ${c[2]} ${c[3]} ${-Number(c[4])} reversed`;
    });
    const out = await runCompare({ ...args, runs: [tempFile('reversed.trec', reversed.join('\n')), args.runs[1]], queries: undefined });
    const ndcg = out.comparisons[0];
    expect(ndcg.metric).toBe('ndcg_cut.10');
    expect(ndcg.pValue).toBe(1 / 2001);
    expect(ndcg.ci95[0]).toBeGreaterThan(0.5); // reversing top-100 lists leaves NDCG@10 near 0 (B - A ≈ 0.66)
    expect(ndcg.pHolm).toBeLessThan(0.01);
  });

  it('needs exactly two runs', async () => {
    await expect(runCompare({ ...args, runs: [args.runs[0]] })).rejects.toThrow(/exactly two runs/);
  });

  it('refuses a non-positive --permutations as a command, before reading any file', async () => {
    const r = await runCli(['compare', '--qrels', 'nope.tsv', '--run', 'a', '--run', 'b', '--permutations', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --permutations must be a positive integer, got 0');
  });
});

/**
 * `beir-bench gate` on real NFCorpus slices encoded by real e5-small-v2 weights: fp32 against the fused fp32 graph
 * (another weights file, so a cold re-encode with other kernels; the same arithmetic, so every query must score the
 * same and the gate must PASS), and fp32 against q8, which
 * moves NDCG@10 on NFCorpus (0.0076 on the full set; on this slice, the regression matrix's nfcorpus q5.d200, 0.6209
 * -> 0.6129, three of the five queries changed, measured 2026-12-07), so the gate must FAIL with exit code 1: an honest
 * failure, |Δ mean| is four times the 0.002 bound. Inputs that differ are refused (exit code 2).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEquivalent } from '../../src/eval/equivalence-rule.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

describe('isEquivalent (the verdict rule)', () => {
  const bounds = { ciBound: 0.005, meanBound: 0.002 };
  it('passes an interval inside the bound and a mean within it, edges included', () => {
    expect(isEquivalent({ meanDiff: 0, ci95: [0, 0] }, bounds)).toBe(true);
    expect(isEquivalent({ meanDiff: -0.002, ci95: [-0.005, 0.001] }, bounds)).toBe(true);
  });
  it('fails an interval reaching past either bound, or a mean past its bound with a narrow interval', () => {
    expect(isEquivalent({ meanDiff: 0.001, ci95: [-0.0051, 0.003] }, bounds)).toBe(false);
    expect(isEquivalent({ meanDiff: 0.001, ci95: [-0.001, 0.0051] }, bounds)).toBe(false);
    expect(isEquivalent({ meanDiff: 0.0021, ci95: [0.001, 0.003] }, bounds)).toBe(false);
  });
});

const modelsDir = warnIfNoModels('gate on NFCorpus slices');

describe.skipIf(!modelsDir || !hasSharedBeir())('gate: fp32 vs a candidate encoding (NFCorpus slice, e5-small-v2)', () => {
  let work: string;
  const runs: Record<'fp32' | 'fused' | 'q8', string> = { fp32: '', fused: '', q8: '' };
  const stderr: Record<string, string> = {};
  const bench = async (...extra: string[]) => {
    const r = await runCli([
      'bench', '--dataset', 'nfcorpus', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--max-docs', '200', '--max-queries', '5',
      '--arms', 'asymmetric', '--embed-cache-dir', join(work, 'cache'), '--permutations', '200', '--format', 'json', '--quiet', '--out', join(work, 'results'), ...extra,
    ]);
    expect(r.code, r.stderr).toBe(0);
    stderr[extra.join(' ')] = r.stderr;
    return join(work, 'results', (JSON.parse(r.stdout) as { runId: string }).runId);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beir-bench-gate-'));
    runs.fp32 = await bench('--dtype', 'fp32');
    runs.fused = await bench('--dtype', 'fused');
    runs.q8 = await bench('--dtype', 'q8');
  }, 1_200_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('passes the fused graph against fp32: every query scores the same', async () => {
    const r = await runCli(['gate', runs.fp32, runs.fused]);
    expect(r.code, r.stderr).toBe(0);
    const [verdict] = r.stdout.split('\n');
    expect(verdict).toMatch(/^PASS nfcorpus: Δ \+0\.0000, 95% CI \[\+0\.0000, \+0\.0000\], n 5 /);
    expect(r.stdout).toContain('0/5/0');
  }, 120_000);

  it('fails q8 against fp32 on the slice where q8 moves NDCG@10, with exit code 1', async () => {
    const r = await runCli(['gate', runs.fp32, join(runs.q8, 'results.json')]);
    console.log(`[gate] NFCorpus 200 docs, 5 queries, fp32 vs q8:\n${r.stdout}`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL nfcorpus: Δ [+-]\d\.\d{4}, 95% CI /);
    expect(r.stdout).toMatch(/e5-small-v2\.asymmetric \(fp32 [0-9a-f]{12}\)\s+e5-small-v2\.asymmetric\.q8 \(q8 [0-9a-f]{12}\)/);
  }, 120_000);

  it('bench warns, even with --quiet, before numbers from a file the gate failed (src/eval/gate-record.ts), and not for fp32', () => {
    expect(stderr['--dtype q8']).toMatch(/^warning: intfloat\/e5-small-v2 --dtype q8 \(weights 7d9092cb25f2\) failed the equivalence gate against fp32 \(.*nfcorpus Δ NDCG@10 -0\.0076, 95% CI \[-0\.0127, -0\.0027\].*\): for smoke runs, do not report/m);
    expect(stderr['--dtype fp32']).not.toContain('equivalence gate');
  });

  it('refuses two runs of different slices (exit code 2, naming the flags that fix it)', async () => {
    const results = JSON.parse(await readFile(join(runs.q8, 'results.json'), 'utf8')) as { datasets: { docs: number }[] };
    results.datasets[0].docs += 1;
    const other = join(work, 'other-slice.json');
    await writeFile(other, JSON.stringify(results));
    const r = await runCli(['gate', runs.fp32, other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: nfcorpus: .* ran on different inputs .*--max-docs and --max-queries\n$/);
  }, 120_000);

  it('refuses a candidate of another model: only the dtype (and id, label) may differ between partners', async () => {
    const results = JSON.parse(await readFile(join(runs.q8, 'results.json'), 'utf8')) as { systems: { model: { id: string } }[] };
    results.systems[0].model.id = 'intfloat/e5-base-v2';
    const other = join(work, 'other-model.json');
    await writeFile(other, JSON.stringify(results));
    const r = await runCli(['gate', runs.fp32, other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the candidate run .* has 0 systems matching e5-small-v2\.asymmetric of .*--arms \/ --systems\n$/);
  }, 120_000);
});

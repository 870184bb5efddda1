/**
 * The recorded gate verdicts (src/eval/gate-record.ts): the rule that turns measurements into a verdict, the
 * notices bench and serve print from it, and that every record is about a file the project pins, so a verdict can
 * never attach to weights nobody measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATE_RECORD, gateNotice, verdictLabel, verdictOf, type GateRecord } from '../../src/eval/gate-record.js';

const REPO = join(import.meta.dirname, '..', '..');
const record = (datasets: GateRecord['datasets']): GateRecord => ({
  model: 'm', dtype: 'int8', weightsSha256: 'f'.repeat(64), system: 'asymmetric', measured: '2026-12-08', datasets,
});
const inside = { meanDiff: 0.001, ci95: [-0.004, 0.005] as const };

describe('verdictOf', () => {
  it('passes only with every one of SciFact, NFCorpus and ArguAna measured inside the bounds (edges included)', () => {
    const three = (['scifact', 'nfcorpus', 'arguana'] as const).map((dataset) => ({ dataset, queries: 1, ...inside }));
    expect(verdictOf(record(three))).toBe('pass');
    expect(verdictOf(record(three.slice(0, 2)))).toBe('incomplete');
    expect(verdictLabel(record(three.slice(0, 2)))).toBe('PASS on scifact, nfcorpus only');
    expect(verdictLabel(record(three))).toBe('PASS');
  });
  it('fails on one dataset past either bound, measured or not the others', () => {
    expect(verdictOf(record([{ dataset: 'nfcorpus', queries: 1, meanDiff: -0.0021, ci95: [-0.004, 0] }]))).toBe('fail');
    expect(verdictOf(record([{ dataset: 'nfcorpus', queries: 1, meanDiff: 0, ci95: [-0.0051, 0.004] }]))).toBe('fail');
  });
});

describe('gateNotice', () => {
  it('says nothing for fp32 and warns for a file the record does not know', () => {
    expect(gateNotice({ model: 'intfloat/e5-small-v2', dtype: 'fp32', weightsSha256: 'a'.repeat(64) })).toBeNull();
    const n = gateNotice({ model: 'intfloat/e5-small-v2', dtype: 'int8', weightsSha256: 'a'.repeat(64) });
    expect(n).toEqual({ warn: true, message: expect.stringContaining('(weights aaaaaaaaaaaa) has not been through the equivalence gate') });
  });
  it('clears all-MiniLM-L6-v2 fused (identical on all three) without a warning, and names what e5-small-v2 fused lacks', () => {
    expect(gateNotice({ model: 'sentence-transformers/all-MiniLM-L6-v2', dtype: 'fused', weightsSha256: '121617eff4181a044cd25ce4589a83acf9987d8e69c745bef2ce7450fa594c11' })).toEqual({
      warn: false,
      message: expect.stringContaining('passed the equivalence gate on scifact, nfcorpus, arguana (symmetric system): its numbers may stand in for fp32'),
    });
    const e5 = gateNotice({ model: 'intfloat/e5-small-v2', dtype: 'fused', weightsSha256: '42f5aef6475ecaa243b516ba3c7a63555e778175583c82f528582b88e91f8cf7' });
    expect(e5).toEqual({ warn: true, message: expect.stringContaining('passed the equivalence gate on nfcorpus, arguana but was not gated on scifact') });
  });
  it('warns with the failing measurement for e5-small-v2 int8', () => {
    const n = gateNotice({ model: 'intfloat/e5-small-v2', dtype: 'int8', weightsSha256: '713dd6f4391807937d6c87507975ff4a1382864eff6eb05ba04bdda2ead0fd99' });
    expect(n?.warn).toBe(true);
    expect(n?.message).toContain('failed the equivalence gate against fp32 (nfcorpus Δ NDCG@10 -0.0022, 95% CI [-0.0060, +0.0014])');
  });
});

describe('GATE_RECORD', () => {
  const pins = ['scripts/build-model-variants.sh', 'scripts/provision-models.sh'].map((f) => readFileSync(join(REPO, f), 'utf8')).join('\n').split('\n');
  const testQueries: Record<string, number> = { scifact: 300, nfcorpus: 323, arguana: 1406 };
  it.each(GATE_RECORD.map((r) => [`${r.model} ${r.dtype}`, r] as const))('%s: a pinned file of that model, measured on full test splits', (_, r) => {
    expect(pins.some((line) => line.includes(`"${r.model}|`) && line.includes(r.weightsSha256))).toBe(true);
    for (const d of r.datasets) expect(d.queries).toBe(testQueries[d.dataset]);
    expect(new Set(r.datasets.map((d) => d.dataset)).size).toBe(r.datasets.length);
  });
});

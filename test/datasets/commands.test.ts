import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { datasetsCommand } from '../../src/commands/datasets.js';
import { downloadCommand } from '../../src/commands/download.js';
import { statsCommand } from '../../src/commands/stats.js';
import { describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

/** Run one command in-process; returns what it wrote to stdout. Failures reject (no process exit). */
async function run(command: { command?: unknown }, args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await yargs(args).command(command as CommandModule).strict().fail((msg, err) => { throw err ?? new Error(msg); }).parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

const SEED = ['stats', '--data-dir', SHARED_BEIR, '--dataset', 'seed'];

describeWithShared('stats command', () => {
  it('prints the article table for seed with r, q, labels and the notes', async () => {
    const out = await run(statsCommand, SEED);
    const lines = out.split('\n');
    const rowOf = (name: string) => lines.find((l) => l.startsWith(`│ ${name} `))!.split('│').slice(1, -1).map((c) => c.trim());
    expect(rowOf('NFCorpus')).toEqual(['NFCorpus', '3.29', '2', '220.98', '224', '3,633', '323', '67.08', '0.14', 'GOOD']);
    expect(rowOf('TREC-COVID')).toEqual(['TREC-COVID', '10.60', '10', '148.64†', '155†', '171,332†', '50', '14.02†', '1.00', 'EXCELLENT†']);
    expect(rowOf('SciFact')).toEqual(['SciFact', '12.51', '12', '201.81', '192', '5,183', '300', '16.14', '0.00', 'GOOD']);
    expect(rowOf('ArguAna')).toEqual(['ArguAna', '193.55', '174', '164.19', '147', '8,674', '1,406', '0.85', '0.03', 'POOR']);
    expect(out).toContain('Expected Bias: POOR if r < 2; FAIR if 2 <= r < 5; GOOD if r >= 5; EXCELLENT if r >= 5 and q >= 0.5.');
    expect(out).toContain('† corpus not available: taken from the registry');
    expect(out).toMatch(/NFCorpus: avg passage length measured 220\.98, the article reports 232\.10/);
  });

  it('markdown: the article layout plus r and q', async () => {
    const out = await run(statsCommand, [...SEED, '--format', 'markdown']);
    expect(out.split('\n').slice(0, 6)).toEqual([
      '| Dataset | Avg Query Length | Median Query Length | Avg Passage Length | Median Passage Length | Passages | Test Queries | r | q | Expected Bias |',
      '|:---|:---:|:---:|:---:|:---:|:---:|:---:|:---:|:---:|:---:|',
      '| NFCorpus | 3.29 | 2 | 220.98 | 224 | 3,633 | 323 | 67.08 | 0.14 | GOOD |',
      '| TREC-COVID | 10.60 | 10 | 148.64† | 155† | 171,332† | 50 | 14.02† | 1.00 | EXCELLENT† |',
      '| SciFact | 12.51 | 12 | 201.81 | 192 | 5,183 | 300 | 16.14 | 0.00 | GOOD |',
      '| ArguAna | 193.55 | 174 | 164.19 | 147 | 8,674 | 1,406 | 0.85 | 0.03 | POOR |',
    ]);
  });

  it('json carries the rule and full-precision stats; thresholds are configurable', async () => {
    const out = await run(statsCommand, [
      ...SEED, '--format', 'json', '--poor-below', '1', '--good-from', '20', '--question-share', '0.9',
    ]);
    const parsed = JSON.parse(out);
    expect(parsed.rule).toEqual({ poorBelow: 1, goodFrom: 20, questionShareForExcellent: 0.9 });
    expect(parsed.datasets.map((d: { bias: string }) => d.bias)).toEqual(['GOOD', 'FAIR', 'FAIR', 'POOR']);
    expect(parsed.datasets[2].passages).toEqual({ avg: 201.81092031641907, median: 192, count: 5183 });
  });

  it('rejects inconsistent thresholds and unknown datasets with clear messages', async () => {
    await expect(run(statsCommand, [...SEED, '--poor-below', '9'])).rejects.toThrow(/poor-below 9 and good-from 5/);
    await expect(run(statsCommand, ['stats', '--data-dir', SHARED_BEIR, '--dataset', 'fiqa'])).rejects.toThrow(
      `dataset folder ${SHARED_BEIR}/fiqa is missing or unreadable`,
    );
  });
});

describe('download and datasets commands', () => {
  it('download refuses --data-dir (it only fills the cache)', async () => {
    await expect(run(downloadCommand, ['download', '--data-dir', SHARED_BEIR])).rejects.toThrow(/--data-dir/);
  });

  it('datasets lists the registry with seed marked', async () => {
    const out = await run(datasetsCommand, ['datasets']);
    expect(out).toMatch(/scifact \(seed\) +│ SciFact +│ train test +│ +300 │ +5,183 │ +1\.1 │ 5f7d1de60b170fc8027bb7898e2efca1/);
    expect(out).toContain('│ msmarco ');
    expect(out).toContain('"seed" = nfcorpus, trec-covid, scifact, arguana');
  });
});

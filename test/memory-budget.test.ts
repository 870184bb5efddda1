import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { BM25_BYTES_PER_CORPUS_BYTE, corpusBytes, defaultMaxMemory, MemoryBudget, parseMemorySize } from '../src/memory-budget.js';
import { runCli } from './helpers/cli.js';
import { itWithShared, SHARED_BEIR } from './helpers/shared.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('--max-memory', () => {
  it('reads sizes with a unit, in powers of 1024', () => {
    expect(parseMemorySize('8G')).toBe(8 * GiB);
    expect(parseMemorySize('8GiB')).toBe(8 * GiB);
    expect(parseMemorySize('512m')).toBe(512 * MiB);
    expect(parseMemorySize('1.5g')).toBe(1.5 * GiB);
    expect(parseMemorySize('2T')).toBe(2 * 2 ** 40);
  });

  it('refuses a bare number, garbage and a budget too small for Node and a model', () => {
    expect(() => parseMemorySize('8192')).toThrow('--max-memory must be a size with a unit, e.g. 8G, 8GiB or 512M; got "8192"');
    expect(() => parseMemorySize('lots')).toThrow(UserError);
    expect(() => parseMemorySize('100M')).toThrow('--max-memory 100M is below the 512 MiB a run needs before any corpus');
  });

  it('defaults to half of the machine memory', () => {
    expect(defaultMaxMemory()).toBeGreaterThan(0);
    expect(MemoryBudget.fromOption(undefined).bytes).toBe(defaultMaxMemory());
  });

  it('refuses an embedded BM25 index whose estimate exceeds the budget, naming the way out', () => {
    const budget = MemoryBudget.fromOption('3G');
    const fits = (3 * GiB - corpusBytes(2_000_000, false)) / BM25_BYTES_PER_CORPUS_BYTE;
    expect(() => budget.checkBm25(2_000_000, Math.floor(fits) - 1)).not.toThrow();
    expect(() => budget.checkBm25(2_000_000, 2.2 * GiB)).toThrow(
      /^embedded BM25 over 2,000,000 docs \(2\.2 GiB of corpus\.jsonl\) needs about 3\.4 GiB, over --max-memory 3G: use --backend opensearch for BM25, or raise --max-memory$/,
    );
  });

  it('sizes exact-search blocks from what the budget leaves, up to 128 MiB, and refuses a corpus that leaves too little', () => {
    expect(MemoryBudget.fromOption('16G').searchBlockBytes(1_000_000, 1000, 384)).toBe(128 * MiB);
    const tight = MemoryBudget.fromOption('1.5G').searchBlockBytes(1_000_000, 1000, 384);
    expect(tight).toBeLessThan(128 * MiB);
    expect(tight).toBeGreaterThanOrEqual(8 * MiB);
    expect(() => MemoryBudget.fromOption('1G').searchBlockBytes(5_000_000, 1000, 384)).toThrow(/raise --max-memory, or search with --backend opensearch$/);
  });

  it('rejects a bad --max-memory at the command line with one line and exit 2', async () => {
    const r = await runCli(['bench', '--dataset', 'scifact', '--arms', 'bm25', '--max-memory', '12']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --max-memory must be a size with a unit, e.g. 8G, 8GiB or 512M; got "12"');
  });

  itWithShared('stops a BM25 run that cannot fit before building anything, with one line and exit 2', async () => {
    const r = await runCli(['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--arms', 'bm25', '--max-memory', '520M', '--out', join(tmpdir(), 'beir-bench-never-written'), '--quiet']);
    expect(r.code).toBe(2);
    expect(existsSync(join(tmpdir(), 'beir-bench-never-written'))).toBe(false);
    expect(r.stderr.trim()).toMatch(/^error: embedded BM25 over 5,183 docs \(8 MiB of corpus\.jsonl\) needs about 522 MiB, over --max-memory 520M: use --backend opensearch for BM25, or raise --max-memory$/);
  });
});

import { describe, expect, it } from 'vitest';
import { closestOption, explainUnknownArguments } from '../../src/commands/suggest-option.js';
import { runCli } from '../helpers/cli.js';

const KNOWN = ['arms', 'systems', 'dataset', 'data-dir', 'hnsw-m', 'format', 'k'];

describe('unknown options', () => {
  it('suggests the option a flag is the start of, or one a typo away', () => {
    expect(closestOption('arm', KNOWN)).toBe('arms');
    expect(closestOption('hnsw', KNOWN)).toBe('hnsw-m');
    expect(closestOption('datset', KNOWN)).toBe('dataset');
    expect(closestOption('formt', KNOWN)).toBe('format');
    expect(closestOption('engine-type', KNOWN)).toBeNull();
  });

  it('tells a mistyped flag from a stray word', () => {
    expect(explainUnknownArguments('Unknown arguments: arm, extra', KNOWN, 'beir-bench bench', ['--arm', 'x', 'extra'])).toBe(
      'unknown option --arm (did you mean --arms?); unknown argument "extra"; see beir-bench bench --help',
    );
    expect(explainUnknownArguments('Missing required argument: dataset', KNOWN, 'beir-bench bench', [])).toBe('Missing required argument: dataset');
  });

  it('the CLI prints one line, not the whole --help', async () => {
    const r = await runCli(['bench', '--dataset', 'scifact', '--arm', 'symmetric']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: unknown option --arm (did you mean --arms?); see beir-bench bench --help');
  });
});

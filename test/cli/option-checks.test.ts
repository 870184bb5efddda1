import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { checkPositiveIntegers } from '../../src/option-checks.js';
import { UserError } from '../../src/errors.js';

/** Parse argv with one numeric option checked as a positive integer, failing the way src/cli.ts does. */
function parse(argv: string[]) {
  return yargs(argv)
    .option('bulk-size', { type: 'number', default: 250 })
    .option('threads', { type: 'number' })
    .check((a) => checkPositiveIntegers(a, ['bulk-size', 'threads']))
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseSync();
}

describe('checkPositiveIntegers', () => {
  it('accepts positive integers, defaults, and options left out', () => {
    expect(parse(['--bulk-size', '3', '--threads', '1'])).toMatchObject({ 'bulk-size': 3, threads: 1 });
    expect(parse([])).toMatchObject({ 'bulk-size': 250 });
  });

  it.each([
    [['--bulk-size', '0'], '--bulk-size must be a positive integer, got 0'],
    [['--bulk-size', '-2'], '--bulk-size must be a positive integer, got -2'],
    [['--threads', '1.5'], '--threads must be a positive integer, got 1.5'],
    [['--threads', 'x'], '--threads must be a positive integer, got NaN'],
    [['--threads', '1e300'], '--threads must be a positive integer, got 1e+300'],
  ])('%j is a UserError naming the flag', (argv, message) => {
    let err: unknown;
    try {
      parse(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(message);
  });
});

import { UserError } from './errors.js';

/**
 * For a yargs `.check()`: each named numeric option, when given (or defaulted), must be an integer of at
 * least `min` (1: positive, 0: non-negative); the first that is not is a UserError naming the flag.
 * Options absent from `args` pass (a check also runs for subcommands that lack them). Returns true, as
 * `.check()` expects.
 */
export function checkIntegers(args: Readonly<Record<string, unknown>>, names: readonly string[], min: 0 | 1 = 1): true {
  for (const name of names) {
    const v = args[name];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= min)) {
      throw new UserError(`--${name} must be ${min === 1 ? 'a positive integer' : '0 or a positive integer'}, got ${String(v)}`);
    }
  }
  return true;
}

export const checkPositiveIntegers = (args: Readonly<Record<string, unknown>>, names: readonly string[]): true => checkIntegers(args, names, 1);

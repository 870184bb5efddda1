import { UserError } from '../errors.js';

/**
 * For a yargs `.check()`: each named numeric option, when given (or defaulted), must be a positive
 * integer; the first that is not is a UserError naming the flag. Returns true, as `.check()` expects.
 */
export function checkPositiveIntegers(args: Readonly<Record<string, unknown>>, names: readonly string[]): true {
  for (const name of names) {
    const v = args[name];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= 1)) {
      throw new UserError(`--${name} must be a positive integer, got ${String(v)}`);
    }
  }
  return true;
}

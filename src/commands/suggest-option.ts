/** "did you mean --arms?" for a mistyped flag: the known option closest to it, if any is close. */

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The known option nearest to `unknown`: one it is the start of (the shortest), else one at most a third of its
 * letters off (at least one), else null.
 */
export function closestOption(unknown: string, known: readonly string[]): string | null {
  const extensions = known.filter((name) => name.startsWith(unknown)).sort((a, b) => a.length - b.length);
  if (extensions.length > 0) return extensions[0];
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = distance(unknown, name);
    if (d <= Math.max(1, Math.floor(unknown.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

/**
 * yargs' "Unknown argument(s): a, b" as one line: each flag with a suggestion, each word that is not a flag named
 * as an unknown command or argument, and where the options are listed. `given` is what the user typed.
 */
export function explainUnknownArguments(message: string, known: readonly string[], command: string, given: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return message;
  const hints = m[1].split(', ').map((arg) => {
    if (!given.some((g) => g === `--${arg}` || g.startsWith(`--${arg}=`) || g === `-${arg}`)) return `unknown argument "${arg}"`;
    const near = closestOption(arg, known);
    return `unknown option --${arg}${near ? ` (did you mean --${near}?)` : ''}`;
  });
  return `${hints.join('; ')}; see ${command} --help`;
}

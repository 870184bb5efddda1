#!/usr/bin/env node
import { inspect } from 'node:util';
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { cacheCommand } from './commands/cache.js';
import { compareCommand } from './commands/compare.js';
import { datasetsCommand } from './commands/datasets.js';
import { downloadCommand } from './commands/download.js';
import { evalCommand } from './commands/eval.js';
import { gateCommand } from './commands/gate.js';
import { importCommand } from './commands/import.js';
import { inspectCommand } from './commands/inspect.js';
import { modelsCommand } from './commands/models.js';
import { regressCommand } from './commands/regress.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { statsCommand } from './commands/stats.js';
import { explainUnknownArguments } from './commands/suggest-option.js';
import { UserError } from './errors.js';
import { ownVersion } from './package-info.js';

/** --verbose (or a non-empty DEBUG) prints a failure's stack and causes; --verbose is read by the middleware below. */
let verbose = Boolean(process.env.DEBUG);

/**
 * A failure ends in one `error:` line. Errors meant for the user exit 2; anything else is a bug and exits 1.
 * Stacks (with their `cause` chain) only with --verbose / DEBUG, printed above that line.
 */
function reportFailure(err: unknown): never {
  const expected = err instanceof UserError;
  if (verbose) process.stderr.write(`${inspect(err)}\n`);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    expected
      ? `error: ${message}\n`
      : `error: unexpected ${err instanceof Error ? err.name : 'failure'}: ${message}${verbose ? '' : ' (run again with --verbose for the stack trace)'}\n`,
  );
  process.exit(expected ? 2 : 1);
}

// Each command's handler is typed by its own builder; yargs takes them as one list of untyped modules.
const COMMANDS = [
  benchCommand,
  statsCommand,
  evalCommand,
  compareCommand,
  gateCommand,
  downloadCommand,
  datasetsCommand,
  modelsCommand,
  reportCommand,
  inspectCommand,
  importCommand,
  regressCommand,
  cacheCommand,
  serveCommand,
] as unknown as CommandModule[];
const COMMAND_NAMES = new Set(COMMANDS.map((c) => String(c.command).split(' ')[0]));

try {
  await yargs(hideBin(process.argv))
    .scriptName('beir-bench')
    .usage('$0 <command> [options]\n\nBenchmark asymmetric vs symmetric embedding models on BEIR data with trec_eval-exact metrics.')
    .command(COMMANDS)
    .option('verbose', { type: 'boolean', global: true, describe: 'On failure, also print the stack trace and its causes (as does DEBUG=1)' })
    // Before validation, so failures of option checks honour --verbose too.
    .middleware((a) => {
      if (a.verbose) verbose = true;
    }, true)
    .demandCommand(1, 'Name a command (see the list above).')
    .strict()
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err, y) => {
      if (err) reportFailure(err);
      // One line, not the whole --help: it names the mistake, the likely fix and where the options are listed.
      const given = hideBin(process.argv);
      const command = ['beir-bench', ...given.filter((x) => COMMAND_NAMES.has(x)).slice(0, 1)].join(' ');
      // yargs hands .fail() its usage object, whose descriptions are keyed by option name.
      const known = Object.keys((y as unknown as { getDescriptions(): Record<string, unknown> }).getDescriptions());
      process.stderr.write(`error: ${explainUnknownArguments(msg, known, command, given)}\n`);
      process.exit(2);
    })
    .help()
    .alias('h', 'help')
    // yargs' own .version() reads the nearest package.json above the working directory: the host project's.
    .version(ownVersion())
    .parseAsync();
} catch (err) {
  reportFailure(err);
}

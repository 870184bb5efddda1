#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { cacheCommand } from './commands/cache.js';
import { compareCommand } from './commands/compare.js';
import { datasetsCommand } from './commands/datasets.js';
import { downloadCommand } from './commands/download.js';
import { evalCommand } from './commands/eval.js';
import { modelsCommand } from './commands/models.js';
import { statsCommand } from './commands/stats.js';
import { UserError } from './errors.js';

/** Errors meant for the user print as one line (exit 2); anything else is a bug and keeps its stack (exit 1). */
function reportFailure(err: unknown): never {
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}

try {
  await yargs(hideBin(process.argv))
    .scriptName('beir-bench')
    .usage('$0 <command> [options]\n\nBenchmark asymmetric vs symmetric embedding models on BEIR data with trec_eval-exact metrics.')
    .command(benchCommand)
    .command(statsCommand)
    .command(evalCommand)
    .command(compareCommand)
    .command(downloadCommand)
    .command(datasetsCommand)
    .command(modelsCommand)
    .command(cacheCommand)
    .demandCommand(1, 'Name a command (see the list above).')
    .strict()
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err, y) => {
      if (err) reportFailure(err);
      process.stderr.write(`${y.help()}\n\nerror: ${msg}\n`);
      process.exit(2);
    })
    .help()
    .alias('h', 'help')
    .version()
    .parseAsync();
} catch (err) {
  reportFailure(err);
}

// Throwaway entry for trying the dataset commands before src/cli.ts registers them:
//   npx tsx test/datasets/helpers/cli.ts stats --data-dir /work/shared/beir --dataset seed
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { datasetsCommand } from '../../../src/commands/datasets.js';
import { downloadCommand } from '../../../src/commands/download.js';
import { statsCommand } from '../../../src/commands/stats.js';
import { UserError } from '../../../src/errors.js';

try {
  await yargs(hideBin(process.argv))
    .scriptName('beir-bench')
    .command(statsCommand)
    .command(downloadCommand)
    .command(datasetsCommand)
    .demandCommand(1)
    .strict()
    .wrap(120)
    .fail((msg, err) => {
      throw err ?? new UserError(msg);
    })
    .parseAsync();
} catch (err) {
  process.stderr.write(err instanceof UserError ? `error: ${err.message}\n` : `${(err as Error).stack}\n`);
  process.exit(err instanceof UserError ? 2 : 1);
}

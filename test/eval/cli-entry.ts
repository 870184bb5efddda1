import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { evalCommand } from '../../src/commands/eval.js';
import { compareCommand } from '../../src/commands/compare.js';
await yargs(hideBin(process.argv)).command(evalCommand).command(compareCommand).strict().help().parseAsync();

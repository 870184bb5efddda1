import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { DEFAULT_MODELS_DIR, localDtypes } from '../embed/model-source.js';
import { MODELS } from '../models/registry.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return y.option('models-dir', {
    type: 'string',
    default: process.env.BEIR_BENCH_MODELS_DIR || DEFAULT_MODELS_DIR,
    defaultDescription: '$BEIR_BENCH_MODELS_DIR or ~/.cache/beir-bench/models',
    describe: 'Local models folder to check for provisioned weights',
  });
}


const shown = (prefix: string) => (prefix === '' ? '(none)' : JSON.stringify(prefix));

export const modelsCommand = defineCommand({
  command: 'models',
  describe: 'List the embedding models the harness knows (prefixes, pooling, dims) and which are provisioned locally',
  builder,
  handler: (a) => {
    const table = new Table({ head: ['model', 'query prefix', 'passage prefix', 'pooling', 'dims', 'max len', 'onnx repo', 'local weights'] });
    for (const m of MODELS) {
      const local = localDtypes(m, a['models-dir']);
      table.push([m.id, shown(m.queryPrefix), shown(m.passagePrefix), m.pooling, m.dimension, m.maxLength, m.onnxRepo, local.length ? local.join(', ') : '-']);
    }
    process.stdout.write(`${table.toString()}\nlocal weights = dtypes found in ${a['models-dir']} (scripts/provision-models.sh fills it)\n`);
  },
});

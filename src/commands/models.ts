import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { localDtypes, MODELS_DIR_ORIGIN, modelsDirFrom } from '../embed/model-source.js';
import { GATE_RECORD, verdictLabel } from '../eval/gate-record.js';
import { MODELS } from '../models/registry.js';
import { defineCommand } from './define-command.js';

function builder(y: Argv) {
  return y.option('models-dir', {
    type: 'string',
    defaultDescription: '$BEIR_BENCH_MODELS_DIR, else ~/.cache/beir-bench/models',
    describe: 'Models folder to check for provisioned weights: the one bench, serve and regress use with the same flag and environment',
  });
}

const shown = (prefix: string) => (prefix === '' ? '(none)' : JSON.stringify(prefix));

export const modelsCommand = defineCommand({
  command: 'models',
  describe: 'List the embedding models the harness knows (prefixes, pooling, dims) and which are provisioned locally',
  builder,
  handler: (a) => {
    const models = modelsDirFrom(a['models-dir']);
    const table = new Table({ head: ['model', 'query prefix', 'passage prefix', 'pooling', 'dims', 'max len', 'onnx repo', 'local weights', 'gate vs fp32'] });
    for (const m of MODELS) {
      const local = localDtypes(m, models.dir);
      const gated = GATE_RECORD.filter((r) => r.model === m.id).map((r) => `${r.dtype} ${verdictLabel(r)}`);
      table.push([m.id, shown(m.queryPrefix), shown(m.passagePrefix), m.pooling, m.dimension, m.maxLength, m.onnxRepo, local.length ? local.join(', ') : '-', gated.length ? gated.join(', ') : '-']);
    }
    process.stdout.write(
      `${table.toString()}\nlocal weights = dtypes found in ${models.dir} (${MODELS_DIR_ORIGIN[models.from]}; scripts/provision-models.sh fills it)\n` +
        'gate vs fp32 = `beir-bench gate` on the full SciFact, NFCorpus and ArguAna for the files provisioning builds or pins: only a PASS may be reported in place of fp32 (docs/PERFORMANCE.md)\n',
    );
  },
});

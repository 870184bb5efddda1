import type { Argv } from 'yargs';
import { loadEncoder } from '../embed/encoder.js';
import { weightsOrigin } from '../embed/model-source.js';
import { gateNotice } from '../eval/gate-record.js';
import { UserError } from '../errors.js';
import { isLoopbackHost, readServeKey, SERVE_API_KEY_ENV } from '../serve/api-key.js';
import { buildServer } from '../serve/server.js';
import { openServeCache } from '../serve/serve-cache.js';
import { parseSimulation, simulatedEncoder, SIMULATE_HELP } from '../serve/simulate.js';
import { defineCommand } from './define-command.js';
import { modelOptionsFrom, withModelOptions } from './model-options.js';
import { checkPositiveIntegers } from '../option-checks.js';

function builder(y: Argv) {
  return withModelOptions(y)
    .option('host', {
      type: 'string',
      default: '127.0.0.1',
      describe: `Interface to listen on (0.0.0.0 for every interface: needs an API key, $${SERVE_API_KEY_ENV} or --api-key-file, or --open)`,
    })
    .option('api-key-file', {
      type: 'string',
      describe: `File whose first line is the API key clients must send as Authorization: Bearer <key> (or set $${SERVE_API_KEY_ENV}; never a flag value, which ps shows). GET /health stays open`,
    })
    .option('open', {
      type: 'boolean',
      default: false,
      describe: 'Listen on a non-loopback --host without an API key: anyone who can reach the port can use the model (a private network you trust)',
    })
    .option('port', { type: 'number', default: 8080, describe: 'TCP port (0: any free port; the address is printed on stderr)' })
    .option('max-queue', { type: 'number', default: 64, describe: 'Requests that may wait behind the one being encoded; more get 503 with Retry-After' })
    .option('max-inputs', { type: 'number', default: 2048, describe: 'Most inputs per request (413 above)' })
    .option('max-request-bytes', { type: 'number', default: 8 * 2 ** 20, describe: 'Largest request body in bytes (413 above)' })
    .option('simulate', { type: 'string', describe: `${SIMULATE_HELP}. For tests only: never serve a real index with it` })
    .check((a) => {
      if (!Number.isSafeInteger(a.port) || a.port < 0 || a.port > 65535) throw new UserError(`--port must be 0..65535, got ${a.port}`);
      return checkPositiveIntegers(a, ['max-queue', 'max-inputs', 'max-request-bytes']);
    })
    .example('$0 serve', 'e5-small-v2 (fp32, from ~/.cache/beir-bench/models when provisioned there) at http://127.0.0.1:8080/v1')
    .example('$0 bench --dataset scifact --encoder-url http://127.0.0.1:8080/v1', 'Then, elsewhere: bench through it')
    .example(`$0 serve --host 0.0.0.0 --api-key-file ~/.config/beir-bench/serve.key`, 'Reachable by a cluster\'s ML nodes; clients send the key as Authorization: Bearer (bench: $BEIR_BENCH_ENCODER_API_KEY)')
    .example('$0 serve --simulate padding-pooling,unnormalised', 'A deployment with the mistakes of a naive handler, to test the audit (docs/AUDIT.md)');
}

export const serveCommand = defineCommand({
  command: 'serve',
  describe:
    'Serve the embedding model over an OpenAI-compatible API (POST /v1/embeddings with optional input_type query|passage, ' +
    'GET /v1/models, GET /health), backed by the local encoder and the embedding cache. SIGINT/SIGTERM finish the requests in flight, then stop',
  builder,
  handler: async (a) => {
    const apiKey = readServeKey(a['api-key-file']);
    if (!apiKey && !a.open && !isLoopbackHost(a.host)) {
      throw new UserError(
        `--host ${a.host} is reachable from other machines and the server has no API key: set $${SERVE_API_KEY_ENV} or --api-key-file, or pass --open if it is meant to be open`,
      );
    }
    const mo = modelOptionsFrom(a);
    const simulate = parseSimulation(a.simulate ?? '', mo.model);
    const loaded = await loadEncoder({
      model: mo.model,
      dtype: mo.dtype,
      modelsDir: mo.modelsDir,
      threads: mo.threads,
      batchSize: mo.batchSize,
      batchTokens: mo.batchTokens,
      device: mo.device,
    });
    const encoder = simulatedEncoder(loaded, simulate);
    // Wrong-on-purpose vectors stay out of the embedding cache (their settings would key them apart anyway).
    const cache = mo.cacheDir === null || simulate ? null : await openServeCache(mo.cacheDir, encoder.info);
    const app = buildServer({ encoder, model: mo.model, cache, maxQueue: a['max-queue'], maxInputs: a['max-inputs'], maxBytes: a['max-request-bytes'], simulate, apiKey });
    let address: string;
    try {
      address = await app.listen({ host: a.host, port: a.port });
    } catch (err) {
      await loaded.dispose();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UserError(`cannot listen on ${a.host}:${a.port} (${code}); choose another --port or --host`);
      }
      throw err;
    }
    const access = apiKey ? 'API key required (Authorization: Bearer)' : isLoopbackHost(a.host) ? 'no API key (loopback only)' : 'OPEN: no API key (--open)';
    const where = cache ? `cache ${mo.cacheDir} (reading ${cache.namespaces.join(', ')})` : 'no cache';
    const gate = gateNotice(loaded.info);
    if (gate) process.stderr.write(`${gate.warn ? 'warning' : 'beir-bench serve'}: ${gate.message}\n`);
    if (simulate) process.stderr.write(`beir-bench serve: SIMULATING a broken deployment (${simulate.faults.join(', ')}): these vectors are wrong on purpose\n`);
    process.stderr.write(
      `beir-bench serve: ${mo.model.id} (${mo.dtype}, ${mo.device}; weights ${weightsOrigin(loaded.info)}) at ${address}/v1 — POST /v1/embeddings, GET /v1/models, GET /health; ${access}; ${where}. Ctrl-C stops.\n`,
    );
    await new Promise<void>((stopped) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`beir-bench serve: ${signal} again, exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        process.stderr.write(`beir-bench serve: ${signal}: finishing the requests in flight, then stopping\n`);
        void app
          .close()
          .then(() => loaded.dispose())
          .then(() => {
            process.stderr.write('beir-bench serve: stopped\n');
            stopped();
          });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
});

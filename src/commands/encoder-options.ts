/** `--encoder-*`: dense systems encoded by OpenAI-compatible embedding endpoints instead of in process. */
import type { Argv } from 'yargs';
import { UserError } from '../errors.js';
import { DEFAULT_TRANSPORT, type RemoteTransport } from '../embed/remote-client.js';
import { API_KEY_ENV, checkEncoderUrl } from '../systems/encoder-url.js';
import type { RemoteAsymmetry, RemoteEncoderSpec } from '../embed/remote-encoder.js';
import { checkPositiveIntegers } from '../option-checks.js';

const T = DEFAULT_TRANSPORT;

export function withRemoteEncoderOptions<T0>(y: Argv<T0>) {
  return y
    .option('encoder-url', {
      type: 'string',
      describe:
        'Encode dense systems at OpenAI-compatible embedding endpoints (POST <url>/embeddings; text-embeddings-inference, vLLM, ' +
        `Ollama, OpenAI, "beir-bench serve", ...): comma-separated base URLs such as http://127.0.0.1:8080/v1, work spread over all. API key from $${API_KEY_ENV} (Bearer)`,
    })
    .option('encoder-asymmetry', {
      choices: ['prefix', 'input-type'] as const,
      default: 'prefix' as RemoteAsymmetry,
      describe:
        'How an endpoint learns the side of a text: prefix = the harness prepends the prefixes, the server embeds strings as given; ' +
        'input-type = no prefix sent, each request carries input_type "query" or "passage" and the server applies its prefixes',
    })
    .option('encoder-model', { type: 'string', describe: 'The "model" field of requests (default: the system\'s model id), e.g. the name the server knows it by' })
    .option('encoder-batch-size', { type: 'number', default: T.batchSize, describe: 'Most inputs per request' })
    .option('encoder-batch-tokens', { type: 'number', default: T.batchTokens, describe: 'Most estimated tokens per request (inputs x the longest, at ~4 bytes per token)' })
    .option('encoder-concurrency', { type: 'number', default: T.concurrency, describe: 'Requests in flight per endpoint' })
    .option('encoder-timeout', { type: 'number', default: T.timeoutSeconds, describe: 'Seconds per request attempt before it counts as failed (and is retried)' })
    .option('encoder-retries', {
      type: 'number',
      default: T.retries,
      describe: 'Retries of a request on 408/429/5xx, timeouts and network failures (exponential backoff with jitter, Retry-After honoured)',
    })
    .option('encoder-format', {
      choices: ['base64', 'float'] as const,
      default: T.encodingFormat,
      describe: 'encoding_format asked for: base64 (exact float32, smaller) or float (JSON numbers, for servers without base64)',
    })
    .check((a) => {
      checkPositiveIntegers(a, ['encoder-batch-size', 'encoder-batch-tokens', 'encoder-concurrency']);
      const retries = a['encoder-retries'];
      if (!Number.isSafeInteger(retries) || retries < 0) throw new UserError(`--encoder-retries must be 0 or a positive integer, got ${retries}`);
      const timeout = a['encoder-timeout'];
      if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--encoder-timeout must be a positive number of seconds, got ${timeout}`);
      return true;
    });
}

export interface RemoteEncoderArgs {
  'encoder-url'?: string;
  'encoder-asymmetry': RemoteAsymmetry;
  'encoder-model'?: string;
  'encoder-batch-size': number;
  'encoder-batch-tokens': number;
  'encoder-concurrency': number;
  'encoder-timeout': number;
  'encoder-retries': number;
  'encoder-format': 'base64' | 'float';
}

export interface RemoteEncoderOptions {
  /** The --encoder-url endpoints as an encoder, or undefined: local encoding. */
  spec?: RemoteEncoderSpec;
  asymmetry: RemoteAsymmetry;
  transport: RemoteTransport;
}

export function remoteEncoderOptionsFrom(a: RemoteEncoderArgs): RemoteEncoderOptions {
  const urls = (a['encoder-url'] ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (a['encoder-url'] !== undefined && urls.length === 0) throw new UserError('--encoder-url is empty; give one or more comma-separated URLs');
  for (const u of urls) checkEncoderUrl(u);
  const asymmetry = a['encoder-asymmetry'];
  const model = a['encoder-model'];
  if (model !== undefined && urls.length === 0) throw new UserError('--encoder-model names the model at --encoder-url endpoints: give --encoder-url too');
  return {
    spec: urls.length > 0 ? { kind: 'remote', urls, asymmetry, ...(model !== undefined ? { model } : {}) } : undefined,
    asymmetry,
    transport: {
      batchSize: a['encoder-batch-size'],
      batchTokens: a['encoder-batch-tokens'],
      concurrency: a['encoder-concurrency'],
      timeoutSeconds: a['encoder-timeout'],
      retries: a['encoder-retries'],
      encodingFormat: a['encoder-format'],
    },
  };
}

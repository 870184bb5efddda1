/**
 * A deliberately broken embedding deployment for audit tests: `beir-bench serve`'s own server with `--simulate`
 * faults, in process on a free loopback port, over the real encoder (real model, wrong settings). The audit reads
 * it as a deployment is read: passages sent with input_type passage, queries with input_type query, through the
 * remote encoder (no norm check: judging norms is the audit's job).
 */
import type { ServerVectors } from '../../src/audit/audit.js';
import type { LocalEncoder } from '../../src/embed/encoder.js';
import { DEFAULT_TRANSPORT } from '../../src/embed/remote-client.js';
import { openRemoteEncoder } from '../../src/embed/remote-encoder.js';
import { passageText, type InputType } from '../../src/models/input-text.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { buildServer } from '../../src/serve/server.js';
import { parseSimulation, simulatedEncoder } from '../../src/serve/simulate.js';

export interface BrokenDeployment {
  url: string;
  vectors: ServerVectors;
  close(): Promise<void>;
}

/** `faults` as `serve --simulate` takes them ('' = a correct deployment). */
export async function startBrokenDeployment(encoder: LocalEncoder, model: ModelSpec, faults: string): Promise<BrokenDeployment> {
  const simulate = parseSimulation(faults, model);
  const app = buildServer({ encoder: simulatedEncoder(encoder, simulate), model, cache: null, maxQueue: 64, maxInputs: 2048, maxBytes: 8 * 2 ** 20, simulate });
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
  const side = (inputType: InputType) =>
    openRemoteEncoder({
      spec: { kind: 'remote', urls: [url], asymmetry: 'input-type' },
      model: { ...model, normalize: false },
      inputType,
      transport: { ...DEFAULT_TRANSPORT, concurrency: 1 },
      cacheDir: null,
    });
  const passages = await side('passage');
  const queries = await side('query');
  return {
    url,
    vectors: {
      passages: (docs) => passages.encode(docs.map((d) => passageText(d, ''))),
      queries: (qs) => queries.encode(qs.map((q) => q.text)),
    },
    close: () => app.close(),
  };
}

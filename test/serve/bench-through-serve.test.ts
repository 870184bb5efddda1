/**
 * The remote encoder end to end: `beir-bench serve` as a real process on a free loopback port, `bench
 * --encoder-url` pointing at it. Its vectors equal the local encoder's, a SciFact slice scores exactly as with
 * the local encoder, and the input-type mode equals the prefix mode.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/datasets/loaders.js';
import { loadEncoder } from '../../src/embed/encoder.js';
import { minRowCosine } from '../../src/embed/probe-fingerprint.js';
import { DEFAULT_TRANSPORT } from '../../src/embed/remote-client.js';
import { openRemoteEncoder, type RemoteAsymmetry } from '../../src/embed/remote-encoder.js';
import { passageText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import type { ResultsFile } from '../../src/results/schema.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('bench through beir-bench serve');
const E5 = getModel('intfloat/e5-small-v2');

let dir: string;
let serve: ServeProcess;

describe.skipIf(!modelsDir || !hasSharedBeir())('bench --encoder-url against beir-bench serve', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beir-bench-remote-e2e-'));
    serve = await startServe(['--models-dir', modelsDir!, '--threads', '1', '--embed-cache-dir', join(dir, 'serve-cache')]);
  });
  afterAll(async () => {
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the local encoder\'s vectors (cosine >= 0.99999), in prefix and in input-type mode', async () => {
    const docs = [];
    for await (const d of readCorpus(join(SHARED_BEIR, 'scifact', 'corpus.jsonl'))) {
      docs.push(d);
      if (docs.length === 6) break;
    }
    const prefixed = docs.map((d) => passageText(d, E5.passagePrefix));
    const local = await loadEncoder({ model: E5, dtype: 'fp32', modelsDir: modelsDir!, threads: 1 });
    const remote = (asymmetry: RemoteAsymmetry) =>
      openRemoteEncoder({
        spec: { kind: 'remote', urls: [serve.url], asymmetry },
        model: E5,
        inputType: asymmetry === 'input-type' ? 'passage' : null,
        transport: DEFAULT_TRANSPORT,
        cacheDir: null,
      });
    try {
      const expected = (await local.encode(prefixed)).data;
      const viaPrefix = (await (await remote('prefix')).encode(prefixed)).data;
      const viaInputType = (await (await remote('input-type')).encode(docs.map((d) => passageText(d, '')))).data;
      expect(minRowCosine(viaPrefix, expected, E5.dimension)).toBeGreaterThanOrEqual(0.99999);
      expect(minRowCosine(viaInputType, viaPrefix, E5.dimension)).toBeGreaterThanOrEqual(0.99999);
    } finally {
      await local.dispose();
    }
  });

  it('scores a SciFact slice exactly as the local encoder does; input-type mode the same', async () => {
    const slice = ['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir!, '--threads', '1',
      '--max-docs', '12', '--max-queries', '4', '--format', 'json', '--quiet', '--out', join(dir, 'out')];
    const run = async (name: string, extra: string[]) => {
      const r = await runCli([...slice, '--embed-cache-dir', join(dir, name), ...extra]);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as ResultsFile;
    };
    const local = await run('local', []);
    const prefix = await run('prefix', ['--encoder-url', serve.url]);
    const inputType = await run('input-type', ['--encoder-url', serve.url, '--encoder-asymmetry', 'input-type']);

    const systems = (r: ResultsFile) => r.datasets[0].systems;
    expect(systems(local).map((s) => s.system)).toEqual(['e5-small-v2.symmetric', 'e5-small-v2.asymmetric']);
    expect(systems(prefix).map((s) => s.system)).toEqual(['e5-small-v2.symmetric.remote', 'e5-small-v2.asymmetric.remote']);
    for (const remote of [prefix, inputType]) {
      systems(remote).forEach((s, i) => {
        expect(s.perQuery).toEqual(systems(local)[i].perQuery);
        expect(s.mean).toEqual(systems(local)[i].mean);
      });
    }
    for (const i of [0, 1]) {
      const runFile = async (r: ResultsFile) => (await readFile(join(dir, 'out', r.runId, systems(r)[i].runFile), 'utf8')).split('\n').map((l) => l.split(' ').slice(0, 4).join(' '));
      expect(await runFile(prefix)).toEqual(await runFile(local));
    }

    // What was sent: prefixes by the harness, or none and an input_type.
    const [, asymPrefix] = systems(prefix);
    const [symTyped, asymTyped] = systems(inputType);
    expect(asymPrefix.inputs!.queries).toMatchObject({ prefix: 'query: ', request: { body: { model: E5.id, encoding_format: 'base64' }, endpointModel: E5.id } });
    expect(asymPrefix.inputs!.queries.request!.body).not.toHaveProperty('input_type');
    expect(asymTyped.inputs!.queries).toMatchObject({ prefix: '', template: 'text, sent with input_type "query"', request: { body: { input_type: 'query' } } });
    expect(asymTyped.inputs!.passages).toMatchObject({ prefix: '', request: { body: { input_type: 'passage' } } });
    expect(symTyped.inputs!.passages.request!.body).not.toHaveProperty('input_type');
    expect(asymTyped.inputs!.passages.request!.endpoints).toEqual([`${serve.url}/embeddings`]);
    expect(asymTyped.encoder).toMatchObject({ kind: 'remote', endpointModel: E5.id });
    expect(inputType.config.remote).toEqual(DEFAULT_TRANSPORT);
    expect(local.config).not.toHaveProperty('remote');
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/registry.js';
import { buildSystems } from '../../src/systems/build.js';
import { parseSystemsFile, readSystemsFile, type SystemsFileDefaults } from '../../src/systems/systems-file.js';

const defaults: SystemsFileDefaults = { dtype: 'fp32', backend: 'embedded', cliModels: [] };
const parse = (text: string, d: Partial<SystemsFileDefaults> = {}) => parseSystemsFile(text, 'systems.yaml', { ...defaults, ...d }).systems;

describe('systems file', () => {
  it('declares registry models, user-defined models, explicit prefixes, dtype, engine, id and label', () => {
    const drafts = parse(`
models:
  my-org/minilm-copy:
    onnxRepo: Xenova/all-MiniLM-L6-v2
    queryPrefix: ""
    passagePrefix: ""
    pooling: mean
    normalize: true
    maxLength: 256
    dimension: 384
systems:
  - model: intfloat/e5-small-v2
    prefix: asymmetric
  - model: my-org/minilm-copy
    prefix: symmetric
    dtype: q8
    id: minilm
    label: MiniLM (copy)
  - model: intfloat/e5-small-v2
    prefix: { query: "search_query: ", passage: "search_document: " }
    engine: opensearch-knn
  - engine: bm25
`);
    const systems = buildSystems(drafts);
    expect(systems.map((s) => [s.id, s.label, s.engine])).toEqual([
      ['e5-small-v2.asymmetric', 'e5-small-v2 asymmetric', 'exact'],
      ['minilm', 'MiniLM (copy)', 'exact'],
      ['e5-small-v2.custom', 'e5-small-v2 custom', 'opensearch-knn'],
      ['bm25', 'BM25', 'bm25'],
    ]);
    const [, minilm, custom] = systems;
    expect(minilm.kind === 'dense' && minilm.model).toMatchObject({ id: 'my-org/minilm-copy', onnxRepo: 'Xenova/all-MiniLM-L6-v2', maxLength: 256, similarity: 'cosine' });
    expect(minilm.kind === 'dense' && minilm.encoder).toEqual({ kind: 'local', dtype: 'q8' });
    expect(custom.kind === 'dense' && custom.prefix).toEqual({ query: 'search_query: ', passage: 'search_document: ' });
  });

  it('takes engine defaults from --backend and the model from --model with its flag settings', () => {
    const cliModel = { ...getModel('intfloat/e5-small-v2'), maxLength: 128 };
    const [dense, lexical] = parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n  - engine: opensearch-bm25\n', {
      backend: 'opensearch',
      cliModels: [cliModel],
    });
    expect(dense).toMatchObject({ engine: 'opensearch-knn', model: { maxLength: 128 } });
    expect(lexical).toMatchObject({ kind: 'lexical', engine: 'opensearch-bm25' });
  });

  it.each([
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: sideways\n', /^systems\.yaml:3: systems\[0\]\.prefix: expected one of symmetric, asymmetric/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefx: model\n', /^systems\.yaml:3: systems\[0\]\.prefx: unknown field; expected one of id, label, model, prefix/],
    ['systems:\n  - model: someone/unknown\n    prefix: model\n', /^systems\.yaml:2: systems\[0\]\.model: model "someone\/unknown" is neither in the registry .* nor under "models:"/],
    ['systems:\n  - engine: exact\n', /^systems\.yaml:2: systems\[0\]\.engine: expected one of bm25, opensearch-bm25/],
    ['systems:\n  - engine: bm25\n    prefix: model\n', /^systems\.yaml:3: systems\[0\]\.prefix: only dense systems/],
    ['systems:\n  - model: intfloat/e5-small-v2\n', /^systems\.yaml:2: systems\[0\]: a dense system needs "prefix"/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: { query: "q: " }\n', /^systems\.yaml:3: systems\[0\]\.prefix: explicit prefixes need both query and passage/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    dtype: fp16\n', /^systems\.yaml:4: systems\[0\]\.dtype: expected one of fp32, fused, int8, q8, got "fp16"/],
    ['models:\n  x/y:\n    pooling: mean\nsystems:\n  - model: x/y\n    prefix: none\n', /^systems\.yaml:3: models\.x\/y: Model "x\/y" is not in the registry .*missing field "queryPrefix", field "passagePrefix", field "normalize", field "maxLength", field "dimension"/],
    ['models:\n  x/y:\n    dimension: -3\nsystems: []\n', /^systems\.yaml:3: models\.x\/y\.dimension: expected a positive integer, got -3/],
    ['systems: []\n', /^systems\.yaml:1: systems: the list is empty/],
    ['sytems: []\n', /^systems\.yaml:1: sytems: unknown field; expected one of models, systems/],
    ['', /^systems\.yaml: \(top level\): the file is empty/],
    ['systems:\n  - model: [unclosed\n', /^systems\.yaml:\d+: not valid YAML/],
  ])('names file, line and field: %j', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('names a file it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beir-bench-systems-'));
    try {
      await expect(readSystemsFile(join(dir, 'missing.yaml'), defaults)).rejects.toThrow(/cannot read systems file .*missing\.yaml: ENOENT/);
      await writeFile(join(dir, 'ok.yaml'), 'systems:\n  - engine: bm25\n');
      expect(await readSystemsFile(join(dir, 'ok.yaml'), defaults)).toEqual({ systems: [{ kind: 'lexical', engine: 'bm25' }], comparisons: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('systems file: remote encoders', () => {
  const cliRemote = { kind: 'remote' as const, urls: ['http://127.0.0.1:8080/v1'], asymmetry: 'prefix' as const };

  it('declares endpoints per system, takes --encoder-url as the default encoder, and keeps local systems local', () => {
    const drafts = parse(
      `systems:
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    encoder:
      kind: remote
      urls: [http://gpu-a:8080/v1, http://gpu-b:8080/v1]
      asymmetry: input-type
      model: e5-small
  - model: intfloat/e5-small-v2
    prefix: symmetric
    encoder: { kind: remote, urls: http://gpu-a:8080/v1 }
  - model: intfloat/e5-small-v2
    prefix: asymmetric
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    encoder: remote
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    encoder: local
    dtype: q8
`,
      { remote: cliRemote, asymmetry: 'input-type' },
    );
    expect(drafts.map((d) => d.kind === 'dense' && d.encoder)).toEqual([
      { kind: 'remote', urls: ['http://gpu-a:8080/v1', 'http://gpu-b:8080/v1'], asymmetry: 'input-type', model: 'e5-small' },
      { kind: 'remote', urls: ['http://gpu-a:8080/v1'], asymmetry: 'input-type' },
      cliRemote,
      cliRemote,
      { kind: 'local', dtype: 'q8' },
    ]);
    expect(buildSystems(drafts.slice(0, 3)).map((s) => [s.id, s.label])).toEqual([
      ['e5-small-v2.asymmetric.remote', 'Asymmetric remote'],
      ['e5-small-v2.symmetric.remote', 'Symmetric remote'],
      ['e5-small-v2.asymmetric.remote-2', 'Asymmetric remote'],
    ]);
  });

  it.each([
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: remote\n', /^systems\.yaml:4: systems\[0\]\.encoder: "remote" alone means the --encoder-url endpoints, and none were given/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: gpu\n', /^systems\.yaml:4: systems\[0\]\.encoder: expected one of local, remote, got "gpu"/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { kind: remote }\n', /^systems\.yaml:4: systems\[0\]\.encoder: a remote encoder needs "urls"/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { urls: [http://a/v1] }\n', /^systems\.yaml:4: systems\[0\]\.encoder: "kind" is required/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder:\n      kind: remote\n      urls: [a-host/v1]\n', /^systems\.yaml:6: systems\[0\]\.encoder\.urls: encoder URL "a-host\/v1" is not an absolute URL/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { kind: remote, urls: ["http://u:pw@a/v1"] }\n', /^systems\.yaml:4: systems\[0\]\.encoder\.urls: .*credentials do not go into the URL/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { kind: remote, urls: [http://a/v1], asymmetry: content-type }\n', /^systems\.yaml:4: systems\[0\]\.encoder\.asymmetry: expected one of prefix, input-type/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { kind: remote, urls: [http://a/v1], timeout: 3 }\n', /^systems\.yaml:4: systems\[0\]\.encoder\.timeout: unknown field; expected one of kind, urls, asymmetry, model/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    encoder: { kind: local, urls: [http://a/v1] }\n', /^systems\.yaml:4: systems\[0\]\.encoder\.urls: only remote encoders take this field/],
    ['systems:\n  - model: intfloat/e5-small-v2\n    prefix: model\n    dtype: q8\n    encoder: { kind: remote, urls: [http://a/v1] }\n', /^systems\.yaml:4: systems\[0\]\.dtype: dtype applies to local encoders/],
    [
      'systems:\n  - model: intfloat/e5-small-v2\n    prefix: { query: "q: ", passage: "" }\n    encoder: { kind: remote, urls: [http://a/v1], asymmetry: input-type }\n',
      /^systems\.yaml:3: systems\[0\]\.prefix: explicit prefix strings cannot be sent as an input_type/,
    ],
  ])('names file, line and field: %j', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});

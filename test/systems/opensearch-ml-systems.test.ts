/** Systems on the opensearch-ml engine: from --arms with --backend opensearch-ml, and from a systems file. */
import { describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/registry.js';
import { parseArms, type ArmContext } from '../../src/systems/arms.js';
import { buildSystems } from '../../src/systems/build.js';
import { parseSystemsFile, type SystemsFileDefaults } from '../../src/systems/systems-file.js';

const e5 = getModel('intfloat/e5-small-v2');
const ctx = (over: Partial<ArmContext> = {}): ArmContext => ({ model: e5, encoder: { kind: 'local', dtype: 'fp32' }, backend: 'opensearch-ml', resolveModel: getModel, ...over });
const defaults: SystemsFileDefaults = { dtype: 'fp32', backend: 'embedded', cliModels: [] };
const parse = (text: string, d: Partial<SystemsFileDefaults> = {}) => parseSystemsFile(text, 'systems.yaml', { ...defaults, ...d }).systems;

describe('--backend opensearch-ml', () => {
  it('puts dense arms on opensearch-ml and BM25 on the cluster', () => {
    const systems = buildSystems(parseArms('symmetric,asymmetric,bm25', ctx()));
    expect(systems.map((s) => [s.id, s.label, s.engine])).toEqual([
      ['e5-small-v2.symmetric', 'Symmetric', 'opensearch-ml'],
      ['e5-small-v2.asymmetric', 'Asymmetric', 'opensearch-ml'],
      ['opensearch-bm25', 'BM25', 'opensearch-bm25'],
    ]);
  });

  it('--opensearch-model-id: the cluster model is the encoder, named in ids and labels', () => {
    const systems = buildSystems(parseArms('asymmetric', ctx({ encoder: { kind: 'opensearch-model', modelId: 'abc123' } })));
    expect(systems[0]).toMatchObject({ id: 'e5-small-v2.asymmetric.cluster', label: 'Asymmetric cluster', encoder: { kind: 'opensearch-model', modelId: 'abc123' }, engine: 'opensearch-ml' });
  });
});

describe('systems file', () => {
  it('takes engine opensearch-ml, and an opensearch-model encoder (which implies it)', () => {
    const drafts = parse(`
systems:
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    engine: opensearch-ml
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    encoder: { kind: opensearch-model, modelId: m-1 }
`);
    expect(drafts.map((d) => (d.kind === 'dense' ? [d.engine, d.encoder] : null))).toEqual([
      ['opensearch-ml', { kind: 'local', dtype: 'fp32' }],
      ['opensearch-ml', { kind: 'opensearch-model', modelId: 'm-1' }],
    ]);
  });

  it('--backend opensearch-ml and --opensearch-model-id are the file\'s defaults', () => {
    const [d] = parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: symmetric\n', { backend: 'opensearch-ml', clusterModel: { kind: 'opensearch-model', modelId: 'm-2' } });
    expect(d).toMatchObject({ engine: 'opensearch-ml', encoder: { kind: 'opensearch-model', modelId: 'm-2' } });
  });

  it('refuses a cluster model on another engine, without modelId, or with explicit prefix strings, naming line and field', () => {
    expect(() => parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: asymmetric\n    engine: exact\n    encoder: { kind: opensearch-model, modelId: m }\n')).toThrow(
      /^systems\.yaml:4: systems\[0\]\.engine: a model deployed in OpenSearch \(opensearch-model\) embeds only on the opensearch-ml engine/,
    );
    expect(() => parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: asymmetric\n    encoder: { kind: opensearch-model }\n')).toThrow(/modelId/);
    expect(() => parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: { query: "q: ", passage: "p: " }\n    encoder: { kind: opensearch-model, modelId: m }\n')).toThrow(
      /systems\[0\]\.prefix: a deployed model is told the side by content_type/,
    );
    expect(() => parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: asymmetric\n    dtype: q8\n    encoder: { kind: opensearch-model, modelId: m }\n')).toThrow(/dtype applies to local encoders/);
    expect(() => parse('systems:\n  - model: intfloat/e5-small-v2\n    prefix: asymmetric\n    encoder: { kind: remote, urls: [http://a/v1], modelId: m }\n')).toThrow(
      /^systems\.yaml:4: systems\[0\]\.encoder\.modelId: only opensearch-model encoders take this field/,
    );
  });
});

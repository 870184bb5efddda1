import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { getModel } from '../../src/models/registry.js';
import { parseArms, type ArmContext } from '../../src/systems/arms.js';
import { buildSystems } from '../../src/systems/build.js';
import { parseSystemsFile, type SystemsFileDefaults } from '../../src/systems/systems-file.js';
import { familiesOf } from '../../src/engines/registry.js';
import { type HybridSystem, type SystemSpec } from '../../src/systems/system.js';
import { isApproximate, exactTwin } from '../../src/systems/system-engines.js';

const usesOpenSearch = (s: SystemSpec) => familiesOf([s]).some((f) => f.id === 'opensearch');

const e5 = getModel('intfloat/e5-small-v2');
const ctx = (over: Partial<ArmContext> = {}): ArmContext => ({ model: e5, encoder: { kind: 'local', dtype: 'fp32' }, backend: 'embedded', resolveModel: getModel, ...over });
const arms = (s: string, over: Partial<ArmContext> = {}) => buildSystems(parseArms(s, ctx(over)));
const defaults: SystemsFileDefaults = { dtype: 'fp32', backend: 'embedded', cliModels: [] };
const yaml = (text: string, d: Partial<SystemsFileDefaults> = {}) => buildSystems(parseSystemsFile(text, 'systems.yaml', { ...defaults, ...d }).systems);

/** The one-line UserError message a call throws. */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UserError');
}

describe('hybrid systems in --arms', () => {
  it('hybrid(A+B) is RRF k=60 over depth 100 each, fused in process; ids and labels name the fusion and the components', () => {
    const systems = arms('bm25,intfloat/e5-small-v2:asymmetric,hybrid(bm25+intfloat/e5-small-v2:asymmetric),hybrid(bm25+asymmetric,linear,weights=0.3/0.7)');
    expect(systems.map((s) => [s.id, s.label, s.engine])).toEqual([
      ['bm25', 'BM25', 'bm25'],
      ['e5-small-v2.asymmetric', 'Asymmetric', 'exact'],
      ['bm25+e5-small-v2.asymmetric.rrf', 'RRF (BM25 + Asymmetric)', 'fusion'],
      ['bm25+e5-small-v2.asymmetric.linear-0.3-0.7', 'Linear 0.3/0.7 (BM25 + Asymmetric)', 'fusion'],
    ]);
    const rrf = systems[2] as HybridSystem;
    expect(rrf.fusion).toEqual({ method: 'rrf', rankConstant: 60 });
    expect(rrf.depths).toEqual([100, 100]);
    expect(rrf.components.map((c) => c.id)).toEqual(['bm25', 'e5-small-v2.asymmetric']);
    expect((systems[3] as HybridSystem).fusion).toEqual({ method: 'linear', normalization: 'min-max', combination: 'arithmetic', weights: [0.3, 0.7] });
  });

  it('options: k, norm, mean, depth per component; weights alone mean linear; equal weights by default', () => {
    const [a, b, c] = arms('hybrid(bm25+asymmetric,k=20,depth=50/200),hybrid(bm25+asymmetric,norm=l2,mean=harmonic,weights=0.5/0.5),hybrid(bm25+asymmetric+symmetric,linear)') as HybridSystem[];
    expect([a.fusion, a.depths, a.id]).toEqual([{ method: 'rrf', rankConstant: 20 }, [50, 200], 'bm25+e5-small-v2.asymmetric.rrf-k20-d50_200']);
    expect(b.fusion).toEqual({ method: 'linear', normalization: 'l2', combination: 'harmonic', weights: [0.5, 0.5] });
    expect(b.label).toBe('Linear l2 harmonic 0.5/0.5 (BM25 + Asymmetric)');
    expect(c.fusion).toMatchObject({ weights: [0.333333, 0.333333, 0.333333] });
  });

  it('with --backend opensearch the cluster fuses: opensearch-hybrid over OpenSearch BM25 and HNSW, measured against its embedded twin', () => {
    const [h] = arms('hybrid(bm25+asymmetric,linear)', { backend: 'opensearch' }) as HybridSystem[];
    expect(h.engine).toBe('opensearch-hybrid');
    expect(h.id).toBe('opensearch-bm25+e5-small-v2.asymmetric.linear-0.5-0.5.opensearch');
    expect(h.label).toBe('Linear 0.5/0.5 (BM25 + Asymmetric) OpenSearch');
    expect(h.components.map((c) => c.engine)).toEqual(['opensearch-bm25', 'opensearch-knn']);
    expect(usesOpenSearch(h) && isApproximate(h)).toBe(true);
    const twin = exactTwin(h);
    expect([twin.engine, twin.components.map((c) => [c.id, c.engine]), twin.id]).toEqual([
      'fusion',
      [
        ['bm25', 'bm25'],
        ['e5-small-v2.asymmetric', 'exact'],
      ],
      `${h.id}.embedded`,
    ]);
    expect(usesOpenSearch(twin)).toBe(false);
  });

  it('a repeated hybrid runs once, however spelled', () => {
    expect(arms('hybrid(bm25+asymmetric),hybrid(bm25+model,rrf,k=60,depth=100)')).toHaveLength(1);
  });

  it.each([
    ['hybrid(bm25+nonsense)', /hybrid\(bm25\+nonsense\): unknown component "nonsense"/],
    ['hybrid(bm25)', /at least two components/],
    ['hybrid(bm25+asymmetric,weights=0.3/1.2)', /weight 1.2 is outside \[0, 1\]/],
    ['hybrid(bm25+asymmetric,weights=0.3/0.6)', /weights 0.3, 0.6 sum to 0.9, not 1/],
    ['hybrid(bm25+asymmetric,weights=1)', /1 weights \(1\) for 2 components/],
    ['hybrid(bm25+asymmetric,rrf,weights=0.5/0.5)', /RRF takes only a rank constant/],
    ['hybrid(bm25+asymmetric,k=0)', /rank constant k must be an integer from 1 to 10000, got 0/],
    ['hybrid(bm25+asymmetric,depth=0)', /depth must be a positive integer, got 0/],
    ['hybrid(bm25+asymmetric,norm=zscore)', /norm must be one of min-max, l2, got "zscore"/],
    ['hybrid(bm25+asymmetric,colour=red)', /unknown option "colour=red"/],
    ['hybrid(bm25+asymmetric', /Unknown arm/],
  ])('%s is a one-line error', (item, message) => {
    expect(userError(() => arms(item))).toMatch(message);
  });

  it('the cluster fuses one match and one knn sub-query with one depth', () => {
    expect(userError(() => arms('hybrid(asymmetric+symmetric)', { backend: 'opensearch' }))).toMatch(/one lexical and one dense component.*got dense\+dense/);
    expect(userError(() => arms('hybrid(bm25+asymmetric,depth=50/100)', { backend: 'opensearch' }))).toMatch(/one depth for both components.*pagination_depth/);
  });
});

describe('hybrid systems in a systems file', () => {
  it('components name systems above by id (their own or the default) or are written inline', () => {
    const systems = yaml(`
systems:
  - engine: bm25
  - model: intfloat/e5-small-v2
    prefix: asymmetric
    id: e5
  - fusion: rrf
    components: [bm25, e5]
    k: 10
  - fusion: linear
    components:
      - bm25
      - { model: intfloat/e5-small-v2, prefix: asymmetric }
    weights: [0.2, 0.8]
    normalization: l2
    combination: geometric
    depth: 50
    label: Tuned
`);
    expect(systems.map((s) => [s.id, s.label])).toEqual([
      ['bm25', 'BM25'],
      ['e5', 'Asymmetric'],
      ['bm25+e5.rrf-k10', 'RRF k=10 (BM25 + Asymmetric)'],
      ['bm25+e5-small-v2.asymmetric.linear-l2-geometric-0.2-0.8-d50', 'Tuned'],
    ]);
    expect((systems[3] as HybridSystem).depths).toEqual([50, 50]);
  });

  it('engine follows --backend unless given', () => {
    const [, h] = yaml('systems:\n  - engine: bm25\n  - fusion: rrf\n    components: [bm25, { model: intfloat/e5-small-v2, prefix: asymmetric }]\n', { backend: 'opensearch' });
    expect(h.engine).toBe('opensearch-hybrid');
  });

  it.each([
    ['  - fusion: rrf\n    components: [bm25, e6]\n', /systems.yaml:4: systems\[1\].components\[1\]: unknown component "e6": name a dense or lexical system listed above it \(bm25\)/],
    ['  - fusion: linear\n    components: [bm25, bm25]\n    weights: [0.5, 1.5]\n', /systems.yaml:5: systems\[1\].weights: fusion weight 1.5 is outside \[0, 1\]/],
    ['  - fusion: linear\n    components: [bm25, bm25]\n    weights: [0.5, 0.4]\n', /systems\[1\].weights: fusion weights 0.5, 0.4 sum to 0.9, not 1/],
    ['  - fusion: borda\n    components: [bm25, bm25]\n', /systems\[1\].fusion: expected one of rrf, linear/],
    ['  - fusion: rrf\n', /systems\[1\]: a hybrid needs "components"/],
    ['  - fusion: rrf\n    components: [bm25, bm25]\n    engine: exact\n', /systems\[1\].engine: expected one of fusion, opensearch-hybrid/],
  ])('error: %s', (entry, message) => {
    expect(userError(() => yaml(`systems:\n  - engine: bm25\n${entry}`))).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { passageText, queryText } from '../../src/models/input-text.js';
import { getModel } from '../../src/models/registry.js';
import { parseArms, type ArmContext } from '../../src/systems/arms.js';
import { buildSystems } from '../../src/systems/build.js';
import { resolvePrefixes, type DenseSystem } from '../../src/systems/system.js';

const e5 = getModel('intfloat/e5-small-v2');
const bge = getModel('BAAI/bge-small-en-v1.5');
const minilm = getModel('sentence-transformers/all-MiniLM-L6-v2');
const ctx = (over: Partial<ArmContext> = {}): ArmContext => ({ model: e5, encoder: { kind: 'local', dtype: 'fp32' }, backend: 'embedded', resolveModel: getModel, ...over });

describe('prefix policies', () => {
  it('model (asymmetric) uses the model\'s own prefixes; BGE has a query instruction only', () => {
    expect(resolvePrefixes(e5, 'model')).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(resolvePrefixes(bge, 'model')).toEqual({ query: bge.queryPrefix, passage: '' });
  });

  it('none (symmetric) sends text as written', () => {
    expect(resolvePrefixes(e5, 'none')).toEqual({ query: '', passage: '' });
  });

  it('query-both / passage-both put one prefix on both sides; explicit strings are used as given', () => {
    expect(resolvePrefixes(e5, 'query-both')).toEqual({ query: 'query: ', passage: 'query: ' });
    expect(resolvePrefixes(e5, 'passage-both')).toEqual({ query: 'passage: ', passage: 'passage: ' });
    expect(resolvePrefixes(e5, { query: 'Q: ', passage: '' })).toEqual({ query: 'Q: ', passage: '' });
  });

  it('passages are title + text (no stray space for an empty title), queries their text, prefixed', () => {
    expect(passageText({ id: '1', title: 'Title', text: 'Body.' }, 'passage: ')).toBe('passage: Title Body.');
    expect(passageText({ id: '1', title: '', text: 'Body.' }, 'passage: ')).toBe('passage: Body.');
    expect(queryText({ id: 'q', text: 'what is x' }, 'query: ')).toBe('query: what is x');
  });
});

describe('--arms', () => {
  it('keeps today\'s short names, applied to --model, labelled by policy when one model is in play', () => {
    const systems = buildSystems(parseArms('symmetric, asymmetric,symmetric-query,bm25', ctx()));
    expect(systems.map((s) => [s.id, s.label, s.engine])).toEqual([
      ['e5-small-v2.symmetric', 'Symmetric', 'exact'],
      ['e5-small-v2.asymmetric', 'Asymmetric', 'exact'],
      ['e5-small-v2.symmetric-query', 'Symmetric-query', 'exact'],
      ['bm25', 'BM25', 'bm25'],
    ]);
    expect((systems[1] as DenseSystem).prefix).toBe('model');
  });

  it('accepts MODEL:POLICY items and then names each system by model and policy', () => {
    const systems = buildSystems(
      parseArms('sentence-transformers/all-MiniLM-L6-v2:symmetric,intfloat/e5-small-v2:symmetric,intfloat/e5-small-v2:asymmetric,bm25', ctx()),
    );
    expect(systems.map((s) => s.label)).toEqual(['all-MiniLM-L6-v2 symmetric', 'e5-small-v2 symmetric', 'e5-small-v2 asymmetric', 'BM25']);
    expect((systems[0] as DenseSystem).model).toEqual(minilm);
    expect(systems.map((s) => s.id)).toEqual(['all-MiniLM-L6-v2.symmetric', 'e5-small-v2.symmetric', 'e5-small-v2.asymmetric', 'bm25']);
  });

  it('drops repeats (the same model and policy written two ways) and keeps the order', () => {
    const systems = buildSystems(parseArms('asymmetric,intfloat/e5-small-v2:model,symmetric', ctx()));
    expect(systems.map((s) => s.id)).toEqual(['e5-small-v2.asymmetric', 'e5-small-v2.symmetric']);
  });

  it('maps every system to OpenSearch engines with --backend opensearch', () => {
    expect(buildSystems(parseArms('asymmetric,bm25', ctx({ backend: 'opensearch' }))).map((s) => s.engine)).toEqual(['opensearch-knn', 'opensearch-bm25']);
  });

  it('marks a non-fp32 dtype in ids and labels', () => {
    expect(buildSystems(parseArms('asymmetric', ctx({ encoder: { kind: 'local', dtype: 'q8' } })))[0]).toMatchObject({ id: 'e5-small-v2.asymmetric.q8', label: 'Asymmetric q8' });
  });

  it('rejects unknown arms and models with the valid forms', () => {
    expect(() => parseArms('symmetric,dense', ctx())).toThrow(UserError);
    expect(() => parseArms('symmetric,dense', ctx())).toThrow(/"dense".*symmetric, asymmetric, symmetric-query.*MODEL:POLICY/);
    expect(() => parseArms('intfloat/e5-small-v2:sideways', ctx())).toThrow(/Unknown arm "intfloat\/e5-small-v2:sideways"/);
    expect(() => parseArms('someone/model:symmetric', ctx())).toThrow(/Unknown model "someone\/model".*--query-prefix/);
    expect(() => parseArms(' , ', ctx())).toThrow(UserError);
  });
});

describe('buildSystems', () => {
  it('keeps given ids and labels, and refuses duplicate or file-unsafe ids', () => {
    const dense = { kind: 'dense' as const, model: e5, prefix: 'model' as const, encoder: { kind: 'local' as const, dtype: 'fp32' as const }, engine: 'exact' as const };
    expect(buildSystems([{ ...dense, id: 'mine', label: 'Mine' }])[0]).toMatchObject({ id: 'mine', label: 'Mine' });
    expect(() => buildSystems([{ ...dense, id: 'x' }, { ...dense, prefix: 'none', id: 'x' }])).toThrow(/two systems have the id "x"/);
    expect(() => buildSystems([{ ...dense, id: '../x' }])).toThrow(/names files/);
  });

  it('numbers distinct systems whose default ids collide', () => {
    const dense = { kind: 'dense' as const, model: e5, encoder: { kind: 'local' as const, dtype: 'fp32' as const }, engine: 'exact' as const };
    const ids = buildSystems([
      { ...dense, prefix: { query: 'a: ', passage: '' } },
      { ...dense, prefix: { query: 'b: ', passage: '' } },
    ]).map((s) => s.id);
    expect(ids).toEqual(['e5-small-v2.custom', 'e5-small-v2.custom-2']);
  });
});

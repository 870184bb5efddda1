import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { resolveModel } from '../../src/models/model-settings.js';
import { getModel } from '../../src/models/registry.js';

const MINILM_SETTINGS = { queryPrefix: '', passagePrefix: '', pooling: 'mean', normalize: true, maxLength: 256, dimension: 384 } as const;

describe('resolveModel', () => {
  it('gives a registry model as registered when no setting is given', () => {
    expect(resolveModel('intfloat/e5-small-v2', {})).toEqual(getModel('intfloat/e5-small-v2'));
  });

  it('lets any given setting override a registry default', () => {
    expect(resolveModel('intfloat/e5-small-v2', { maxLength: 128, queryPrefix: 'q: ' })).toMatchObject({ id: 'intfloat/e5-small-v2', maxLength: 128, queryPrefix: 'q: ', passagePrefix: 'passage: ' });
  });

  it('builds an unknown model from complete settings, its hub repo defaulting to its id', () => {
    const m = resolveModel('my-org/minilm', MINILM_SETTINGS);
    const registry = getModel('sentence-transformers/all-MiniLM-L6-v2');
    const strip = ({ id: _i, onnxRepo: _o, description: _d, ...rest }: typeof m) => rest;
    expect(strip(m)).toEqual(strip(registry));
    expect(m.onnxRepo).toBe('my-org/minilm');
  });

  it('an unknown model with missing settings names the flags to pass', () => {
    expect(() => resolveModel('my-org/minilm', { pooling: 'mean' })).toThrow(UserError);
    expect(() => resolveModel('my-org/minilm', { pooling: 'mean' })).toThrow(
      /"my-org\/minilm" is not in the registry .*missing --query-prefix, --passage-prefix, --normalize, --max-length, --dimension/,
    );
  });

  it('refuses a dimension or max length that is not a positive integer', () => {
    expect(() => resolveModel('intfloat/e5-small-v2', { dimension: 0 })).toThrow(/--dimension must be a positive integer, got 0/);
    expect(() => resolveModel('x/y', { ...MINILM_SETTINGS, maxLength: 1.5 })).toThrow(/--max-length must be a positive integer/);
  });
});

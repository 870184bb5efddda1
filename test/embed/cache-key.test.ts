import { describe, expect, it } from 'vitest';
import { configHash, entryKey, type CacheKeyParts } from '../../src/embed/cache-key.js';

const base: CacheKeyParts = {
  model: 'intfloat/e5-small-v2',
  weightsSha256: 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0',
  dtype: 'fp32',
  pooling: 'mean',
  normalize: true,
  maxLength: 512,
};
const TEXT = 'passage: some text';
const key = (parts: CacheKeyParts, text = TEXT) => entryKey(configHash(parts), text).toString('hex');

describe('embedding cache key', () => {
  it('is stable for the same parts and text', () => {
    expect(key({ ...base })).toBe(key(base));
    expect(key(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the model id', () => expect(key({ ...base, model: 'intfloat/e5-base-v2' })).not.toBe(key(base)));
  it('changes with the weights sha256', () => expect(key({ ...base, weightsSha256: '0'.repeat(64) })).not.toBe(key(base)));
  it('changes with the dtype', () => expect(key({ ...base, dtype: 'q8' })).not.toBe(key(base)));
  it('changes with the pooling', () => expect(key({ ...base, pooling: 'cls' })).not.toBe(key(base)));
  it('changes with normalisation', () => expect(key({ ...base, normalize: false })).not.toBe(key(base)));
  it('changes with the max length', () => expect(key({ ...base, maxLength: 256 })).not.toBe(key(base)));
  it('changes with the text, prefix included', () => {
    expect(key(base, 'query: some text')).not.toBe(key(base));
    expect(key(base, 'some text')).not.toBe(key(base));
    expect(key(base, `${TEXT} `)).not.toBe(key(base));
  });
});

describe('embedding cache key: local keys unchanged by remote encoders', () => {
  it('still names the folders caches were written to (e5-small-v2 fp32 from provision-models.sh)', () => {
    expect(configHash(base).slice(0, 16)).toBe('6c06b7c113dba0de');
  });

  it('a remote key is the endpoint model, input type and probe fingerprint, distinct from any local key', () => {
    const remote: CacheKeyParts = { kind: 'remote', model: 'intfloat/e5-small-v2', inputType: null, fingerprint: '0123456789abcdef' };
    expect(key(remote)).not.toBe(key(base));
    expect(key({ ...remote, fingerprint: 'fedcba9876543210' })).not.toBe(key(remote));
    expect(key({ ...remote, inputType: 'query' })).not.toBe(key(remote));
    expect(key({ ...remote, inputType: 'query' })).not.toBe(key({ ...remote, inputType: 'passage' }));
    expect(key({ ...remote, model: 'other' })).not.toBe(key(remote));
  });
});

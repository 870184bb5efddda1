import { describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/registry.js';
import { sideInputs, type EncoderSpec, type PrefixPolicy } from '../../src/systems/system.js';

const e5 = getModel('intfloat/e5-small-v2');
const local: EncoderSpec = { kind: 'local', dtype: 'fp32' };
const remote = (asymmetry: 'prefix' | 'input-type'): EncoderSpec => ({ kind: 'remote', urls: ['http://127.0.0.1:8080/v1'], asymmetry });
const sides = (prefix: PrefixPolicy, encoder: EncoderSpec) => sideInputs({ model: e5, prefix, encoder });

describe('what each side sends', () => {
  it('prefix mode (local or remote): the policy\'s prefixes, no input_type', () => {
    for (const encoder of [local, remote('prefix')]) {
      expect(sides('model', encoder)).toEqual({ query: { prefix: 'query: ', inputType: null }, passage: { prefix: 'passage: ', inputType: null } });
      expect(sides('none', encoder)).toEqual({ query: { prefix: '', inputType: null }, passage: { prefix: '', inputType: null } });
      expect(sides({ query: 'Q ', passage: 'P ' }, encoder)).toEqual({ query: { prefix: 'Q ', inputType: null }, passage: { prefix: 'P ', inputType: null } });
    }
  });

  it('input-type mode: no prefix, the input_type that makes the endpoint add the same one', () => {
    const it = remote('input-type');
    expect(sides('model', it)).toEqual({ query: { prefix: '', inputType: 'query' }, passage: { prefix: '', inputType: 'passage' } });
    expect(sides('none', it)).toEqual({ query: { prefix: '', inputType: null }, passage: { prefix: '', inputType: null } });
    expect(sides('query-both', it)).toEqual({ query: { prefix: '', inputType: 'query' }, passage: { prefix: '', inputType: 'query' } });
    expect(sides('passage-both', it)).toEqual({ query: { prefix: '', inputType: 'passage' }, passage: { prefix: '', inputType: 'passage' } });
    expect(() => sides({ query: 'Q ', passage: '' }, it)).toThrow(/explicit prefix strings/);
  });
});

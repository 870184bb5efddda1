import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { armPrefixes, parseArms, passageText, queryText } from '../../src/models/arms.js';
import { getModel } from '../../src/models/registry.js';

const e5 = getModel('intfloat/e5-small-v2');
const bge = getModel('BAAI/bge-small-en-v1.5');

describe('arms', () => {
  it('asymmetric uses the model prefixes', () => {
    expect(armPrefixes(e5, 'asymmetric')).toEqual({ query: 'query: ', passage: 'passage: ' });
    expect(armPrefixes(bge, 'asymmetric')).toEqual({ query: bge.queryPrefix, passage: '' });
  });

  it('symmetric and bm25 use no prefix', () => {
    expect(armPrefixes(e5, 'symmetric')).toEqual({ query: '', passage: '' });
    expect(armPrefixes(e5, 'bm25')).toEqual({ query: '', passage: '' });
  });

  it('symmetric-query puts the query prefix on both sides', () => {
    expect(armPrefixes(e5, 'symmetric-query')).toEqual({ query: 'query: ', passage: 'query: ' });
  });

  it('builds passage text from title and text, without a stray space for an empty title', () => {
    expect(passageText({ id: '1', title: 'Title', text: 'Body.' }, 'passage: ')).toBe('passage: Title Body.');
    expect(passageText({ id: '1', title: '', text: 'Body.' }, 'passage: ')).toBe('passage: Body.');
    expect(queryText({ id: 'q', text: 'what is x' }, 'query: ')).toBe('query: what is x');
  });

  it('parses arm lists and rejects unknown arms with the valid names', () => {
    expect(parseArms('symmetric, asymmetric,symmetric')).toEqual(['symmetric', 'asymmetric']);
    expect(() => parseArms('symmetric,dense')).toThrow(UserError);
    expect(() => parseArms('symmetric,dense')).toThrow(/dense.*asymmetric, symmetric, symmetric-query, bm25/);
    expect(() => parseArms(' , ')).toThrow(UserError);
  });
});

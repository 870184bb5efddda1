import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { MODELS, getModel } from '../../src/models/registry.js';

describe('model registry', () => {
  it('has the E5 family with query:/passage: prefixes, mean pooling and their dimensions', () => {
    const dims: Record<string, number> = {
      'intfloat/e5-small-v2': 384,
      'intfloat/e5-base-v2': 768,
      'intfloat/multilingual-e5-small': 384,
      'intfloat/multilingual-e5-base': 768,
    };
    for (const [id, dim] of Object.entries(dims)) {
      const m = getModel(id);
      expect(m).toMatchObject({ queryPrefix: 'query: ', passagePrefix: 'passage: ', pooling: 'mean', normalize: true, maxLength: 512, dimension: dim });
      expect(m.onnxRepo).toBe(`Xenova/${id.split('/')[1]}`);
    }
  });

  it('keeps all-MiniLM-L6-v2 symmetric with its sentence-transformers max length', () => {
    expect(getModel('sentence-transformers/all-MiniLM-L6-v2')).toMatchObject({ queryPrefix: '', passagePrefix: '', pooling: 'mean', maxLength: 256, dimension: 384 });
  });

  it('gives bge-small-en-v1.5 its query instruction and CLS pooling', () => {
    expect(getModel('BAAI/bge-small-en-v1.5')).toMatchObject({
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      passagePrefix: '',
      pooling: 'cls',
      dimension: 384,
    });
  });

  it('accepts the ONNX repo name and ignores case', () => {
    expect(getModel('Xenova/e5-small-v2').id).toBe('intfloat/e5-small-v2');
    expect(getModel('INTFLOAT/E5-SMALL-V2').id).toBe('intfloat/e5-small-v2');
  });

  it('refuses an unknown model with a UserError listing the known ids', () => {
    expect(() => getModel('someone/unknown-model')).toThrow(UserError);
    expect(() => getModel('someone/unknown-model')).toThrow(/intfloat\/e5-small-v2.*sentence-transformers\/all-MiniLM-L6-v2/);
  });

  it('has unique ids and repos', () => {
    expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
    expect(new Set(MODELS.map((m) => m.onnxRepo)).size).toBe(MODELS.length);
  });
});

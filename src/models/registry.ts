import { UserError } from '../errors.js';
import type { ModelSpec } from './spec.js';

const E5_PREFIXES = { queryPrefix: 'query: ', passagePrefix: 'passage: ' } as const;

function e5(id: string, onnxRepo: string, dimension: number, description: string): ModelSpec {
  return { id, onnxRepo, ...E5_PREFIXES, pooling: 'mean', normalize: true, maxLength: 512, dimension, similarity: 'cosine', description };
}

/** Models the harness knows how to use faithfully (prefixes, pooling, length as their authors trained them). */
export const MODELS: readonly ModelSpec[] = Object.freeze([
  e5('intfloat/e5-small-v2', 'Xenova/e5-small-v2', 384, 'E5 small v2 (English), asymmetric query:/passage: prefixes'),
  e5('intfloat/e5-base-v2', 'Xenova/e5-base-v2', 768, 'E5 base v2 (English), asymmetric query:/passage: prefixes'),
  e5('intfloat/multilingual-e5-small', 'Xenova/multilingual-e5-small', 384, 'Multilingual E5 small, asymmetric query:/passage: prefixes'),
  e5('intfloat/multilingual-e5-base', 'Xenova/multilingual-e5-base', 768, 'Multilingual E5 base, asymmetric query:/passage: prefixes'),
  {
    id: 'sentence-transformers/all-MiniLM-L6-v2',
    onnxRepo: 'Xenova/all-MiniLM-L6-v2',
    queryPrefix: '',
    passagePrefix: '',
    pooling: 'mean',
    normalize: true,
    // sentence-transformers' max_seq_length; the tokenizer alone would allow 512.
    maxLength: 256,
    dimension: 384,
    similarity: 'cosine',
    description: 'all-MiniLM-L6-v2, symmetric (no prefixes)',
  },
  {
    id: 'BAAI/bge-small-en-v1.5',
    onnxRepo: 'Xenova/bge-small-en-v1.5',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    passagePrefix: '',
    pooling: 'cls',
    normalize: true,
    maxLength: 512,
    dimension: 384,
    similarity: 'cosine',
    description: 'BGE small en v1.5, asymmetric by query instruction only',
  },
]);

/** The registry entry of a model id or its ONNX hub repo (case-insensitive), if there is one. */
export function findModel(idOrRepo: string): ModelSpec | undefined {
  const wanted = idOrRepo.trim().toLowerCase();
  return MODELS.find((m) => m.id.toLowerCase() === wanted || m.onnxRepo.toLowerCase() === wanted);
}

/**
 * A registry model. Models outside it are refused here rather than guessed (a wrong prefix or pooling would
 * silently invalidate the benchmark): resolveModel (model-settings.ts) builds one from explicit settings.
 */
export function getModel(idOrRepo: string): ModelSpec {
  const found = findModel(idOrRepo);
  if (!found) {
    throw new UserError(
      `Unknown model "${idOrRepo}". Known models: ${MODELS.map((m) => m.id).join(', ')} (their ONNX repos are accepted too). ` +
        `To use another model, describe it: ${MODEL_FLAGS_HINT}, or a "models" entry in a --systems file.`,
    );
  }
  return found;
}

/** The flags that describe a model the registry does not know. */
export const MODEL_FLAGS_HINT =
  '--query-prefix STR --passage-prefix STR --pooling mean|cls --normalize|--no-normalize --max-length N --dimension N';

/**
 * The body of `POST /v1/embeddings` as OpenAI defines it (plus `input_type`), checked field by field so a client
 * learns exactly which field is wrong. Fastify has parsed the JSON already.
 */
import type { InputType } from '../models/input-text.js';

export interface EmbeddingsRequest {
  inputs: string[];
  /** Absent: the served model. */
  model?: string;
  encodingFormat: 'float' | 'base64';
  inputType: InputType | null;
  /** OpenAI's optional output size; only the model's own is possible here. */
  dimensions?: number;
}

/** An OpenAI-style error: HTTP status, message, and the offending parameter. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const INPUT_TYPES: readonly InputType[] = ['query', 'passage'];

/** Limits of one request. */
export interface RequestLimits {
  maxInputs: number;
}

export function parseEmbeddingsRequest(body: unknown, limits: RequestLimits): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const input = b.input;
  if (input === undefined) throw new ApiError(400, 'missing required parameter "input"', 'input');
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs)) throw new ApiError(400, '"input" must be a string or a list of strings', 'input');
  if (inputs.length === 0) throw new ApiError(400, '"input" is empty', 'input');
  if (inputs.length > limits.maxInputs) {
    throw new ApiError(413, `"input" has ${inputs.length} items; at most ${limits.maxInputs} per request (--max-inputs)`, 'input');
  }
  inputs.forEach((x, i) => {
    // Token-id arrays (which OpenAI also accepts) need the server's tokenizer on the client side: not supported.
    if (typeof x !== 'string') throw new ApiError(400, `input[${i}] must be a string, got ${Array.isArray(x) ? 'a list' : typeof x}`, 'input');
    if (x === '') throw new ApiError(400, `input[${i}] is an empty string`, 'input');
  });
  const model = b.model;
  if (model !== undefined && typeof model !== 'string') throw new ApiError(400, '"model" must be a string', 'model');
  const format = b.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new ApiError(400, `"encoding_format" must be "float" or "base64", got ${JSON.stringify(format)}`, 'encoding_format');
  const inputType = b.input_type ?? null;
  if (inputType !== null && !INPUT_TYPES.includes(inputType as InputType)) {
    throw new ApiError(400, `"input_type" must be "query" or "passage", got ${JSON.stringify(inputType)}`, 'input_type');
  }
  const dimensions = b.dimensions;
  if (dimensions !== undefined && !(typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0)) {
    throw new ApiError(400, '"dimensions" must be a positive integer', 'dimensions');
  }
  return {
    inputs: inputs as string[],
    ...(model !== undefined ? { model } : {}),
    encodingFormat: format,
    inputType: inputType as InputType | null,
    ...(dimensions !== undefined ? { dimensions } : {}),
  };
}

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Dtype, ModelSpec } from '../models/spec.js';

/** Where scripts/provision-models.sh assembles models unless given a destination. */
export const DEFAULT_MODELS_DIR = join(homedir(), '.cache', 'beir-bench', 'models');

/** Where a model's files come from: a local folder (air-gapped use, tests) or a Hugging Face hub. */
export type ModelSource =
  | { kind: 'local'; root: string; name: string; dir: string }
  | { kind: 'hub'; name: string; host: string };

export const DEFAULT_HUB = 'https://huggingface.co/';

/** The hub to download from: HF_ENDPOINT, as the Hugging Face tools honour it (a mirror), else huggingface.co. */
export function hubEndpoint(): string {
  const raw = process.env.HF_ENDPOINT || DEFAULT_HUB;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`HF_ENDPOINT "${raw}" is not an absolute URL (e.g. https://hf-mirror.example.org/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`HF_ENDPOINT "${raw}": only http and https are supported`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** transformers.js file naming: fp32 -> onnx/model.onnx, q8 -> onnx/model_quantized.onnx. */
export function weightsFileName(dtype: Dtype): string {
  return dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
}

/**
 * With a models dir, the model must sit at `<modelsDir>/<id>` or `<modelsDir>/<onnxRepo>` with the weights for
 * `dtype`; without one, the hub repo is used.
 */
export function resolveModelSource(model: ModelSpec, dtype: Dtype, modelsDir?: string): ModelSource {
  if (!modelsDir) return { kind: 'hub', name: model.onnxRepo, host: hubEndpoint() };
  const weights = weightsFileName(dtype);
  for (const name of [model.id, model.onnxRepo]) {
    const dir = join(modelsDir, name);
    if (existsSync(join(dir, weights))) return { kind: 'local', root: modelsDir, name, dir };
  }
  throw new UserError(
    `Model ${model.id} (${dtype}) not found in ${modelsDir}: expected ${join(modelsDir, model.id, weights)} ` +
      `(or under ${model.onnxRepo}). Provision it with scripts/provision-models.sh ${modelsDir} ` +
      '(covers intfloat/e5-small-v2 and sentence-transformers/all-MiniLM-L6-v2), or copy a transformers.js ' +
      `layout folder of ${model.onnxRepo} there, or omit --models-dir to download from the Hugging Face hub.`,
  );
}

/** Which dtypes have weights in `<modelsDir>/<id>` (or `<onnxRepo>`), for listings. */
export function localDtypes(model: ModelSpec, modelsDir: string): Dtype[] {
  return (['fp32', 'q8'] as const).filter((dtype) =>
    [model.id, model.onnxRepo].some((name) => existsSync(join(modelsDir, name, weightsFileName(dtype)))),
  );
}

/** How to run without the hub, for download errors: the provisioned folder if it holds the model, else how to fill one. */
export function offlineModelHint(model: ModelSpec, dtype: Dtype): string {
  if (localDtypes(model, DEFAULT_MODELS_DIR).includes(dtype)) {
    return `To work offline: the model is already provisioned, pass --models-dir ${DEFAULT_MODELS_DIR} (or set BEIR_BENCH_MODELS_DIR)`;
  }
  return (
    `To work offline: run bash scripts/provision-models.sh (e5-small-v2, all-MiniLM-L6-v2; writes ${DEFAULT_MODELS_DIR}) ` +
    `or copy a transformers.js layout folder of ${model.onnxRepo} into DIR, then pass --models-dir DIR (or set BEIR_BENCH_MODELS_DIR); ` +
    'HF_ENDPOINT=URL selects a hub mirror'
  );
}

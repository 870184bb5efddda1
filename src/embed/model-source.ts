import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { DTYPE_NAMES, type Dtype, type ModelSpec } from '../models/spec.js';

/** Where scripts/provision-models.sh assembles models unless given a destination. */
export const DEFAULT_MODELS_DIR = join(homedir(), '.cache', 'beir-bench', 'models');

/** Who chose a models folder: `--models-dir`, `$BEIR_BENCH_MODELS_DIR`, or nobody (the default folder). */
export type ModelsDirOrigin = 'flag' | 'env' | 'default';

/**
 * A folder of models in transformers.js layout. One given by a flag or the environment must hold every model asked
 * of it; the default folder is used for the models it holds, the others come from the hub.
 */
export interface ModelsDir {
  dir: string;
  from: ModelsDirOrigin;
}

/** --models-dir when given, else $BEIR_BENCH_MODELS_DIR, else DEFAULT_MODELS_DIR: what every command that loads a model uses. */
export function modelsDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ModelsDir {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UserError('--models-dir is empty: name a folder, or leave the option out');
    return { dir: flag, from: 'flag' };
  }
  if (env.BEIR_BENCH_MODELS_DIR) return { dir: env.BEIR_BENCH_MODELS_DIR, from: 'env' };
  return { dir: DEFAULT_MODELS_DIR, from: 'default' };
}

/** A folder passed as a plain path (scripts, tests) is an explicit one, as if given by --models-dir. */
export const asModelsDir = (d: string | ModelsDir): ModelsDir => (typeof d === 'string' ? { dir: d, from: 'flag' } : d);

/** How messages name who chose a models folder. */
export const MODELS_DIR_ORIGIN: Record<ModelsDirOrigin, string> = { flag: '--models-dir', env: 'BEIR_BENCH_MODELS_DIR', default: 'the default folder' };

/** Where a loaded model's weights came from, for logs: `/path/to/model (the default folder)` or `hf:Xenova/e5-small-v2`. */
export function weightsOrigin(info: { source: string; modelsDirFrom?: ModelsDirOrigin }): string {
  return info.modelsDirFrom ? `${info.source} (${MODELS_DIR_ORIGIN[info.modelsDirFrom]})` : info.source;
}

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

/**
 * Each dtype's weights file in transformers.js layout and how transformers.js is asked for it: its own `dtype` (which
 * picks the file suffix: '' fp32, `_int8`, `_quantized`) and, for the fused graph, the file's base name.
 */
export const DTYPES: Record<Dtype, { file: string; loadAs: 'fp32' | 'int8' | 'q8'; baseName?: string; describe: string }> = {
  fp32: { file: 'onnx/model.onnx', loadAs: 'fp32', describe: 'fp32 weights (onnx/model.onnx)' },
  fused: {
    file: 'onnx/model_fused.onnx',
    loadAs: 'fp32',
    baseName: 'model_fused',
    describe: 'the same fp32 weights in a fused graph (onnx/model_fused.onnx, built by scripts/build-model-variants.sh)',
  },
  int8: {
    file: 'onnx/model_int8.onnx',
    loadAs: 'int8',
    describe: '8-bit weights built by scripts/build-model-variants.sh (onnx/model_int8.onnx)',
  },
  q8: { file: 'onnx/model_quantized.onnx', loadAs: 'q8', describe: "the exporter's 8-bit weights (onnx/model_quantized.onnx)" },
};

/** The weights file of `dtype`, relative to the model folder. */
export function weightsFileName(dtype: Dtype): string {
  return DTYPES[dtype].file;
}

/**
 * With a models folder, the model sits at `<dir>/<id>` or `<dir>/<onnxRepo>` with the weights for `dtype`; a folder
 * given by a flag or the environment that lacks it is an error, the default folder falls back to the hub. Without a
 * folder (API callers), the hub repo is used.
 */
export function resolveModelSource(model: ModelSpec, dtype: Dtype, modelsDir?: string | ModelsDir): ModelSource {
  if (!modelsDir) return { kind: 'hub', name: model.onnxRepo, host: hubEndpoint() };
  const { dir: root, from } = asModelsDir(modelsDir);
  const weights = weightsFileName(dtype);
  for (const name of [model.id, model.onnxRepo]) {
    const dir = join(root, name);
    if (existsSync(join(dir, weights))) return { kind: 'local', root, name, dir };
  }
  if (from === 'default') return { kind: 'hub', name: model.onnxRepo, host: hubEndpoint() };
  throw new UserError(
    `Model ${model.id} (${dtype}) not found in ${root} (${MODELS_DIR_ORIGIN[from]}): expected ${join(root, model.id, weights)} ` +
      `(or under ${model.onnxRepo}). Provision it with scripts/provision-models.sh ${root} ` +
      '(covers intfloat/e5-small-v2 and sentence-transformers/all-MiniLM-L6-v2), or copy a transformers.js ' +
      `layout folder of ${model.onnxRepo} there, or drop ${MODELS_DIR_ORIGIN[from]} to use ${DEFAULT_MODELS_DIR} or, for models not there, the Hugging Face hub.`,
  );
}

/** Which dtypes have weights in `<modelsDir>/<id>` (or `<onnxRepo>`), for listings. */
export function localDtypes(model: ModelSpec, modelsDir: string): Dtype[] {
  return DTYPE_NAMES.filter((dtype) =>
    [model.id, model.onnxRepo].some((name) => existsSync(join(modelsDir, name, weightsFileName(dtype)))),
  );
}

/** How to run without the hub, for download errors (the default folder did not hold the model, or none was consulted). */
export function offlineModelHint(model: ModelSpec, dtype: Dtype): string {
  if (localDtypes(model, DEFAULT_MODELS_DIR).includes(dtype)) {
    return `To work offline: the model is provisioned in ${DEFAULT_MODELS_DIR}, which commands use unless --models-dir or BEIR_BENCH_MODELS_DIR name another folder`;
  }
  return (
    `To work offline: run bash scripts/provision-models.sh (e5-small-v2, all-MiniLM-L6-v2; writes ${DEFAULT_MODELS_DIR}, which commands use by default) ` +
    `or copy a transformers.js layout folder of ${model.onnxRepo} into DIR, then pass --models-dir DIR (or set BEIR_BENCH_MODELS_DIR); ` +
    'HF_ENDPOINT=URL selects a hub mirror'
  );
}

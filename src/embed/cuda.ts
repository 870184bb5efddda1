/**
 * `--device cuda`: onnxruntime-node's CUDA execution provider. Its libraries are not in the npm package; its
 * install script downloads them, and this project keeps that script from running (package.json `allowScripts`), so
 * CPU installs stay small and offline. Missing pieces become one clear error instead of a native loader message.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';

export const GPU_INSTALL_HINT =
  'on Linux x64 with an NVIDIA GPU (driver, CUDA 12 and cuDNN 9 libraries on the library path), fetch the CUDA provider with ' +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install` (README, "GPU"), or run with --device cpu';

/** Where onnxruntime-node keeps its native libraries for this platform. */
function onnxBinDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Fail early, and clearly, when the CUDA provider cannot be there. */
export function checkCudaInstalled(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new UserError(`--device cuda: onnxruntime-node ships a CUDA provider for Linux x64 only (this is ${process.platform}/${process.arch}); use --device cpu`);
  }
  const lib = join(onnxBinDir(), 'libonnxruntime_providers_cuda.so');
  if (!existsSync(lib)) throw new UserError(`--device cuda: onnxruntime-node's CUDA provider is not installed (no ${lib}); ${GPU_INSTALL_HINT}`);
}

/** Run the model load, turning a CUDA provider that fails to start (no driver, no GPU, wrong CUDA) into a UserError. */
export async function explainCudaFailure<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/cuda|cudnn|cublas|provider/i.test(message)) throw err;
    throw new UserError(`--device cuda: the CUDA execution provider did not start (${message.split('\n')[0]}); ${GPU_INSTALL_HINT}`);
  }
}

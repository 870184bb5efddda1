/**
 * "Any model without editing source": all-MiniLM-L6-v2 described only by flags, under a name the registry
 * does not know, must give exactly the registry entry's vectors and scores.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder } from '../../src/embed/encoder.js';
import { resolveModel } from '../../src/models/model-settings.js';
import { getModel } from '../../src/models/registry.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const MINILM = 'sentence-transformers/all-MiniLM-L6-v2';
const COPY = 'my-org/minilm-copy';
const FLAGS = ['--query-prefix', '', '--passage-prefix', '', '--pooling', 'mean', '--normalize', '--max-length', '256', '--dimension', '384'];

const provisioned = warnIfNoModels('user-defined model');
const minilmDir = provisioned && join(provisioned, MINILM);
const ready = !!minilmDir && existsSync(join(minilmDir, 'onnx', 'model.onnx')) && hasSharedBeir();

describe.skipIf(!ready)('a model described by flags equals its registry entry (real all-MiniLM-L6-v2)', () => {
  let root: string;
  let modelsDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'beir-bench-user-model-'));
    // One models folder holding the registry model and the same files under a name the registry does not know.
    modelsDir = join(root, 'models');
    for (const name of [MINILM, COPY]) {
      await mkdir(join(modelsDir, name, '..'), { recursive: true });
      await symlink(minilmDir!, join(modelsDir, name));
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** The model under the unknown name, described only by its settings (dimension as given). */
  const loadCopy = (dimension: number) =>
    loadEncoder({
      model: resolveModel(COPY, { queryPrefix: '', passagePrefix: '', pooling: 'mean', normalize: true, maxLength: 256, dimension }),
      dtype: 'fp32',
      modelsDir,
      threads: 1,
    });

  it('encodes to bit-identical vectors', async () => {
    const texts = ['What causes anaemia in chronic kidney disease?', 'Statins lower LDL cholesterol.', 'x'];
    const registry = await loadEncoder({ model: getModel(MINILM), dtype: 'fp32', modelsDir, threads: 1 });
    const user = await loadCopy(384);
    try {
      const [a, b] = [await registry.encode(texts), await user.encode(texts)];
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
      expect(user.info.weightsSha256).toBe(registry.info.weightsSha256);
    } finally {
      await registry.dispose();
      await user.dispose();
    }
  });

  it('refuses settings whose dimension the model does not produce', async () => {
    const wrong = await loadCopy(768);
    try {
      await expect(wrong.encode(['a'])).rejects.toThrow(/my-org\/minilm-copy produces 384-dim vectors, but its settings say 768/);
    } finally {
      await wrong.dispose();
    }
  });

  it('bench scores every query the same, through the CLI', async () => {
    const common = ['bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', modelsDir, '--max-queries', '15', '--max-docs', '120',
      '--format', 'json', '--quiet', '--permutations', '100', '--embed-cache-dir', join(root, 'cache')];
    const registry = await runCli([...common, '--arms', `${MINILM}:symmetric`, '--out', join(root, 'a')]);
    const user = await runCli([...common, '--model', COPY, ...FLAGS, '--arms', 'symmetric', '--out', join(root, 'b')]);
    expect(registry.code, registry.stderr).toBe(0);
    expect(user.code, user.stderr).toBe(0);
    const [a, b] = [JSON.parse(registry.stdout), JSON.parse(user.stdout)];
    expect(b.systems[0].model.id).toBe(COPY);
    expect(b.datasets[0].systems[0].inputs.passages.encoded).toBe(120); // its own cache entries: really encoded
    expect(b.datasets[0].systems[0].perQuery).toEqual(a.datasets[0].systems[0].perQuery);
    const runOf = async (dir: string, json: { runId: string; datasets: { systems: { runFile: string }[] }[] }) =>
      (await readFile(join(dir, json.runId, json.datasets[0].systems[0].runFile), 'utf8')).replace(/ \S+$/gm, '');
    expect(await runOf(join(root, 'b'), b)).toBe(await runOf(join(root, 'a'), a));
  }, 300_000);
});

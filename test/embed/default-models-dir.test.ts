import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoderRunOptionsFrom } from '../../src/commands/model-options.js';
import { DEFAULT_MODELS_DIR, localDtypes, modelsDirFrom, resolveModelSource } from '../../src/embed/model-source.js';
import { UserError } from '../../src/errors.js';
import { getModel } from '../../src/models/registry.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { startServe } from '../helpers/serve-process.js';
import { REPO_ROOT } from '../helpers/shared.js';

/**
 * The default models folder (~/.cache/beir-bench/models) is used when it holds the model, without --models-dir;
 * an explicit --models-dir or $BEIR_BENCH_MODELS_DIR wins; results.json says where the weights came from.
 */
const E5 = getModel('intfloat/e5-small-v2');

describe('which models folder', () => {
  it('--models-dir, else $BEIR_BENCH_MODELS_DIR, else the default folder; an empty flag is refused', () => {
    expect(modelsDirFrom('/flag', { BEIR_BENCH_MODELS_DIR: '/env' })).toEqual({ dir: '/flag', from: 'flag' });
    expect(modelsDirFrom(undefined, { BEIR_BENCH_MODELS_DIR: '/env' })).toEqual({ dir: '/env', from: 'env' });
    expect(modelsDirFrom(undefined, {})).toEqual({ dir: DEFAULT_MODELS_DIR, from: 'default' });
    expect(() => modelsDirFrom(' ', {})).toThrow(UserError);
  });

  it('is the same for every command that loads a model (bench, serve, regress share encoderRunOptionsFrom)', () => {
    const args = { device: 'cpu' as const, 'batch-size': 32, 'batch-tokens': 128, 'embed-cache-dir': '/c', cache: true };
    expect(encoderRunOptionsFrom({ ...args, 'models-dir': '/flag' }).modelsDir).toEqual({ dir: '/flag', from: 'flag' });
  });

  it('a folder the user named must hold the model; the default folder falls back to the hub', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'beir-bench-no-models-'));
    try {
      expect(resolveModelSource(E5, 'fp32', { dir: empty, from: 'default' })).toMatchObject({ kind: 'hub', name: 'Xenova/e5-small-v2' });
      expect(() => resolveModelSource(E5, 'fp32', { dir: empty, from: 'env' })).toThrow(`not found in ${empty} (BEIR_BENCH_MODELS_DIR)`);
      expect(() => resolveModelSource(E5, 'fp32', { dir: empty, from: 'flag' })).toThrow(`not found in ${empty} (--models-dir)`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

const provisioned = warnIfNoModels('commands finding models in the default folder');

describe.skipIf(!provisioned)('commands with the model in the default folder and no --models-dir (real e5-small-v2)', () => {
  const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'beir-tiny');
  let home: string;
  /** A user whose ~/.cache/beir-bench/models holds e5-small-v2, with no BEIR_BENCH_MODELS_DIR and an unreachable hub. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'beir-bench-home-'));
    const models = join(home, '.cache', 'beir-bench', 'models', 'intfloat');
    await mkdir(models, { recursive: true });
    await symlink(join(provisioned!, 'intfloat', 'e5-small-v2'), join(models, 'e5-small-v2'));
    // Port 9 (discard) refuses connections: any hub download fails at once, so a pass proves the folder was used.
    env = { HOME: home, BEIR_BENCH_MODELS_DIR: '', BEIR_BENCH_CACHE: join(home, 'embeddings'), HF_ENDPOINT: 'http://127.0.0.1:9/' };
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  const bench = (name: string, extra: string[] = [], over: NodeJS.ProcessEnv = {}) =>
    runCli(['bench', '--dataset', 'scifact', '--data-dir', FIXTURE, '--arms', 'asymmetric', '--threads', '1', '--out', join(home, name), ...extra], { ...env, ...over });

  it('bench runs, says where the weights came from, and records it in results.json', async () => {
    const r = await bench('default');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const modelDir = join(home, '.cache', 'beir-bench', 'models', 'intfloat', 'e5-small-v2');
    expect(r.stderr).toContain(`intfloat/e5-small-v2 (fp32): weights ${modelDir} (the default folder)`);
    const [dir] = await readdir(join(home, 'default'));
    const results = JSON.parse(await readFile(join(home, 'default', dir, 'results.json'), 'utf8'));
    expect(results.config).toMatchObject({ modelsDir: join(home, '.cache', 'beir-bench', 'models'), modelsDirFrom: 'default' });
    expect(results.datasets[0].systems[0].encoder).toMatchObject({ source: modelDir, modelsDirFrom: 'default' });
  }, 180_000);

  it('an explicit --models-dir or BEIR_BENCH_MODELS_DIR still wins, even without the model', async () => {
    const empty = join(home, 'empty');
    await mkdir(empty);
    for (const [extra, over, named] of [
      [['--models-dir', empty], {}, '--models-dir'],
      [[], { BEIR_BENCH_MODELS_DIR: empty }, 'BEIR_BENCH_MODELS_DIR'],
    ] as const) {
      const r = await bench('explicit', [...extra], over);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: Model intfloat/e5-small-v2 \\(fp32\\) not found in ${empty} \\(${named}\\)`, 'm'));
    }
  }, 120_000);

  it('a model the default folder lacks comes from the hub (here unreachable: the download error, not a missing-folder error)', async () => {
    const r = await bench('hub', ['--dtype', 'fp32', '--model', 'sentence-transformers/all-MiniLM-L6-v2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(r.stderr).not.toMatch(/not found in/);
  }, 120_000);

  it('serve and models use the default folder the same way', async () => {
    const s = await startServe(['--threads', '1', '--no-cache'], env);
    try {
      expect(s.stderr()).toContain(`weights ${join(home, '.cache', 'beir-bench', 'models', 'intfloat', 'e5-small-v2')} (the default folder)`);
    } finally {
      await s.stop();
    }
    const m = await runCli(['models'], env);
    expect(m.code).toBe(0);
    // Every dtype whose file the provisioned folder holds (fp32 and q8 always; fused and int8 once built).
    expect(m.stdout).toMatch(new RegExp(`intfloat/e5-small-v2 .*│ ${localDtypes(E5, provisioned!).join(', ')} +│`));
    expect(m.stdout).toContain(`local weights = dtypes found in ${join(home, '.cache', 'beir-bench', 'models')} (the default folder;`);
  }, 120_000);
});

/**
 * bge-small-en-v1.5, the second asymmetric family: an instruction on queries only, [CLS] pooling, L2-normalised.
 * The weights are the provisioned Xenova export (scripts/provision-models.sh). Checked against a reference computed
 * another way: Qdrant's fastembed tests pin the first five dimensions of its "hello world" vector (its own ONNX export
 * and Python tokenizer, CLS pooling, normalised; qdrant/fastembed tests/test_text_onnx_embeddings.py,
 * CANONICAL_VECTOR_VALUES, compared there with atol 1e-3).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { resolveModel } from '../../src/models/model-settings.js';
import { getModel } from '../../src/models/registry.js';
import { matrixRow } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { warnIfNoModels } from '../helpers/models.js';
import { hasSharedBeir, SHARED_BEIR } from '../helpers/shared.js';

const BGE = getModel('BAAI/bge-small-en-v1.5');
const INSTRUCTION = 'Represent this sentence for searching relevant passages: ';
/** sha256 of onnx/model.onnx as scripts/provision-models.sh pins it. */
const FP32_SHA256 = '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35';
/** fastembed's first five dimensions of "hello world" for BAAI/bge-small-en-v1.5. */
const FASTEMBED_HELLO_WORLD = [0.01522374, -0.02271799, 0.00860278, -0.07424029, 0.00386434];

const provisioned = warnIfNoModels('bge-small-en-v1.5 on real weights');
const ready = !!provisioned && existsSync(join(provisioned, BGE.id, 'onnx', 'model.onnx'));
if (provisioned && !ready) console.warn(`[skipped] bge-small-en-v1.5 on real weights: not in ${provisioned}; run scripts/provision-models.sh`);

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe.skipIf(!ready)('bge-small-en-v1.5 encoder (real fp32 weights)', () => {
  let cls: LocalEncoder;
  let mean: LocalEncoder;
  beforeAll(async () => {
    cls = await loadEncoder({ model: BGE, dtype: 'fp32', modelsDir: provisioned!, threads: 1 });
    // The same weights under mean pooling: what a wrong registry entry would compute.
    mean = await loadEncoder({ model: resolveModel(BGE.id, { pooling: 'mean' }), dtype: 'fp32', modelsDir: provisioned!, threads: 1 });
  });
  afterAll(async () => {
    await cls?.dispose();
    await mean?.dispose();
  });

  it('records the pinned weights and CLS pooling, and gives fastembed\'s vector; mean pooling does not', async () => {
    expect(cls.info).toMatchObject({ model: BGE.id, pooling: 'cls', normalize: true, maxLength: 512, dimension: 384, weightsSha256: FP32_SHA256 });
    const v = matrixRow(await cls.encode(['hello world']), 0);
    expect(dot(v, v)).toBeCloseTo(1, 5);
    FASTEMBED_HELLO_WORLD.forEach((x, i) => expect(Math.abs(v[i] - x), `dimension ${i}`).toBeLessThan(1e-3));
    const m = matrixRow(await mean.encode(['hello world']), 0);
    expect(Math.max(...FASTEMBED_HELLO_WORLD.map((x, i) => Math.abs(m[i] - x)))).toBeGreaterThan(1e-2);
    expect(dot(v, m)).toBeLessThan(0.99);
  });

  it('the instruction moves a query vector without changing what it means', async () => {
    const query = '0-dimensional biomaterials lack inductive properties.';
    const m = await cls.encode([INSTRUCTION + query, query]);
    const cos = dot(matrixRow(m, 0), matrixRow(m, 1));
    expect(cos).toBeLessThan(0.99);
    expect(cos).toBeGreaterThan(0.8);
  });
});

describe.skipIf(!ready || !hasSharedBeir())('bench --arms BAAI/bge-small-en-v1.5:asymmetric,:symmetric on a SciFact slice', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'beir-bench-bge-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('sends the instruction with the queries of the asymmetric system only, encodes the passages once, compares the two', async () => {
    const r = await runCli([
      'bench', '--dataset', 'scifact', '--data-dir', SHARED_BEIR, '--models-dir', provisioned!, '--max-queries', '8', '--max-docs', '40',
      '--arms', 'BAAI/bge-small-en-v1.5:asymmetric,BAAI/bge-small-en-v1.5:symmetric', '--format', 'json', '--quiet', '--permutations', '100',
      '--embed-cache-dir', join(root, 'cache'), '--out', join(root, 'out'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    const [asym, sym] = res.datasets[0].systems;
    expect(res.systems.map((s: { id: string }) => s.id)).toEqual(['bge-small-en-v1.5.asymmetric', 'bge-small-en-v1.5.symmetric']);
    expect(asym.inputs.queries.prefix).toBe(INSTRUCTION);
    expect(asym.inputs.queries.example.startsWith(INSTRUCTION)).toBe(true);
    expect(sym.inputs.queries.prefix).toBe('');
    expect(sym.inputs.queries.example.startsWith(INSTRUCTION)).toBe(false);
    for (const s of [asym, sym]) {
      expect(s.inputs.passages.prefix).toBe('');
      expect(s.encoder).toMatchObject({ pooling: 'cls', weightsSha256: FP32_SHA256 });
    }
    // Passages are the same strings under both policies: encoded for the first system, reused by the second.
    expect(sym.inputs.passages.sha256).toBe(asym.inputs.passages.sha256);
    expect(asym.inputs.passages.encoded).toBe(40);
    expect(sym.inputs.passages.encoded).toBe(0);
    expect(res.datasets[0].comparisons).toHaveLength(1);
    // Different query vectors, so different scores in the run files.
    const run = (s: { runFile: string }) => readFile(join(root, 'out', res.runId, s.runFile), 'utf8');
    expect(await run(asym)).not.toBe(await run(sym));
  }, 300_000);
});

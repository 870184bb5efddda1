/**
 * The deployment audit against deliberately broken deployments: `serve --simulate` over the real e5-small-v2
 * weights on a SciFact slice. A correct deployment passes; each usual mistake is detected and named.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditDeployment } from '../../src/audit/audit.js';
import type { CauseId, DeploymentAudit } from '../../src/audit/audit-result.js';
import { memoryCorpus, type Corpus } from '../../src/datasets/corpus.js';
import { loadSplitQueries, readCorpus } from '../../src/datasets/loaders.js';
import { embedTexts } from '../../src/embed/cache.js';
import { loadEncoder, type LocalEncoder } from '../../src/embed/encoder.js';
import { getModel } from '../../src/models/registry.js';
import { resolvePrefixes } from '../../src/systems/system.js';
import type { Doc, Query } from '../../src/types.js';
import { startBrokenDeployment } from '../helpers/broken-deployment.js';
import { warnIfNoModels } from '../helpers/models.js';
import { describeWithShared, SHARED_BEIR } from '../helpers/shared.js';

const modelsDir = warnIfNoModels('deployment audit');
const MODEL = getModel('intfloat/e5-small-v2');
const SCIFACT = join(SHARED_BEIR, 'scifact');

let encoder: LocalEncoder;
/** `encoder` as the audits' reference, its vectors kept in this file's embedding cache folder (see cachedVectors). */
let reference: LocalEncoder;
let cacheDir: string | undefined;
let corpus: Corpus;
let queries: Query[];

/**
 * A local encoder whose vectors (of every variant: the cache key holds maxLength and padPooling) go through the
 * embedding cache, as bench's do: every audit encodes the same sample under the configured setting for its
 * reference, and the diagnoses try the same settings on overlapping texts; each is encoded once per file. Only the
 * reference: the deployments under test always encode afresh.
 */
function cachedVectors(local: LocalEncoder, dir: string): LocalEncoder {
  return {
    info: local.info,
    countTokens: (texts) => local.countTokens(texts),
    encode: async (texts) => (await embedTexts({ encoder: local, texts, cacheDir: dir, namespace: 'audit-reference', label: 'reference', quiet: true })).matrix,
    variant: (v) => cachedVectors(local.variant(v), dir),
    dispose: () => local.dispose(),
  };
}

async function audit(faults: string, policy: 'model' | 'none' = 'model', served: LocalEncoder = encoder): Promise<DeploymentAudit> {
  const deployment = await startBrokenDeployment(served, MODEL, faults);
  try {
    return await auditDeployment({
      model: MODEL,
      prefixes: resolvePrefixes(MODEL, policy),
      corpus,
      queries,
      server: deployment.vectors,
      reference,
      options: { passages: 10, diagnosisTexts: 4 },
    });
  } finally {
    await deployment.close();
  }
}

const causes = (a: DeploymentAudit): CauseId[] => a.diagnosis?.causes.map((c) => c.id) ?? [];

describeWithShared('deployment audit (real e5-small-v2, SciFact slice)', () => {
  beforeAll(async () => {
    if (!modelsDir) return;
    encoder = await loadEncoder({ model: MODEL, dtype: 'fp32', modelsDir, threads: 2 });
    cacheDir = await mkdtemp(join(tmpdir(), 'beir-bench-audit-'));
    reference = cachedVectors(encoder, cacheDir);
    const docs: Doc[] = [];
    for await (const d of readCorpus(join(SCIFACT, 'corpus.jsonl'))) if (docs.push(d) === 30) break;
    corpus = memoryCorpus(docs);
    queries = (await loadSplitQueries(SCIFACT, 'test', 6)).queries;
  });
  afterAll(async () => {
    await encoder?.dispose();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });
  let q8: LocalEncoder;
  afterAll(() => q8?.dispose());

  it.skipIf(!modelsDir)('passes a correct deployment: every sampled vector at cosine >= 0.9999, norms 1', async () => {
    const a = await audit('');
    expect(a.verdict).toBe('match');
    expect(a.diagnosis).toBeUndefined();
    expect(a.sample).toEqual({ passages: 10, queries: 6, seed: 42 });
    expect(a.cosine.passages.min).toBeGreaterThanOrEqual(0.9999);
    expect(a.cosine.queries.min).toBeGreaterThanOrEqual(0.9999);
    expect(Math.abs(a.norm.passages.max - 1)).toBeLessThan(1e-3);
  }, 120_000);

  it.skipIf(!modelsDir).each([
    ['no-prefix', ['prefix-missing']],
    ['swapped-prefixes', ['prefixes-swapped']],
    ['query-prefix-both', ['query-prefix-both']],
    ['unnormalised', ['not-normalised']],
    ['padding-pooling=256', ['padding-pooling']],
    ['truncate=128', ['truncation']],
    // The article's SageMaker handler: mean over the padding, no normalisation.
    ['padding-pooling,unnormalised', ['padding-pooling', 'not-normalised']],
  ] as [string, CauseId[]][])('detects %s and names it', async (faults, expected) => {
    const a = await audit(faults);
    expect(a.verdict).toBe('mismatch');
    expect(a.diagnosis!.match).toBe('exact');
    expect(causes(a)).toEqual(expected);
  }, 300_000);

  it.skipIf(!modelsDir)('names prefixes applied by a server for a symmetric system', async () => {
    const a = await audit('', 'none');
    expect(a.verdict).toBe('mismatch');
    expect(causes(a)).toEqual(['other-prefixes']);
    expect(a.diagnosis!.summary).toContain('passages got prefix "passage: "');
  }, 120_000);

  it.skipIf(!modelsDir)('a server on int8 weights: a clear mistake is named as the closest match; none is claimed for a subtle one', async () => {
    q8 = await loadEncoder({ model: MODEL, dtype: 'q8', modelsDir: modelsDir!, threads: 2 });
    const swapped = await audit('swapped-prefixes', 'model', q8);
    expect(swapped.diagnosis!.match).toBe('closest');
    expect(causes(swapped)).toEqual(['prefixes-swapped']);
    expect(swapped.diagnosis!.summary).toContain('other weights or precision than the reference (e.g. int8, fp16)');
    // Right settings, other weights (cosine ~0.997): e5's passage prefix changes vectors less than int8 does, so no cause is claimed.
    const correct = await audit('', 'model', q8);
    expect(correct.verdict).toBe('mismatch');
    expect(correct.cosine.passages.min).toBeGreaterThan(0.99);
    expect(causes(correct)).toEqual([]);
    expect(correct.diagnosis!.summary).toMatch(/passages: no clear explanation, closest as configured \(min cosine 0\.99\d+\)/);
  }, 300_000);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/registry.js';
import { bundledPublishedScores, parsePublishedScores, protocolClaim, roundingAllowance } from '../../src/references/published-scores.js';
import type { DenseSystem, SystemSpec } from '../../src/systems/system.js';
import { systemsOf } from '../report/fixture.js';
import { describeWithShared, SHARED_DIR } from '../helpers/shared.js';

const registry = bundledPublishedScores();
const score = (model: string, dataset: string) => registry.models.find((m) => m.model === model)!.scores.find((s) => s.dataset === dataset)!;

describe('the published-scores registry shipped with beir-bench', () => {
  it('gives every score a source with a URL, a metric with a tolerance, and the decimals it was printed with', () => {
    expect(registry.tolerance).toEqual({ 'ndcg_cut.10': 0.005 });
    const scores = registry.models.flatMap((m) => m.scores);
    expect(scores.length).toBeGreaterThanOrEqual(28);
    for (const s of scores) {
      expect(s.source.url).toMatch(/^https:\/\//);
      expect(s.metric in registry.tolerance).toBe(true);
    }
    expect(score('intfloat/e5-small-v2', 'scifact')).toMatchObject({ value: 0.68854, decimals: 5 });
    expect(score('intfloat/multilingual-e5-base', 'arguana')).toMatchObject({ value: 0.442, decimals: 3 });
    expect(roundingAllowance(3)).toBeCloseTo(0.0005, 15);
  });

  it('holds the models of the harness registry with their registry settings as the protocol', () => {
    for (const m of registry.models) {
      const spec = getModel(m.model);
      expect(m.protocol).toEqual({ queryPrefix: spec.queryPrefix, passagePrefix: spec.passagePrefix, pooling: spec.pooling, maxLength: spec.maxLength, normalize: spec.normalize });
    }
  });
});

describeWithShared('the registry against the reference list it was transcribed from', () => {
  it('has every MTEB NDCG@10 of the reference table, digit for digit', () => {
    const text = readFileSync(join(SHARED_DIR, 'docs', 'references.md'), 'utf8');
    const table = text.slice(text.indexOf('## More published NDCG@10'));
    const names: Record<string, string> = {
      'e5-small-v2': 'intfloat/e5-small-v2',
      'e5-base-v2': 'intfloat/e5-base-v2',
      'multilingual-e5-small': 'intfloat/multilingual-e5-small',
      'all-MiniLM-L6-v2 (symmetric model)': 'sentence-transformers/all-MiniLM-L6-v2',
    };
    const datasets = ['scifact', 'nfcorpus', 'arguana', 'trec-covid', 'fiqa', 'scidocs'];
    let checked = 0;
    for (const line of table.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const model = names[cells[1]];
      if (!model) continue;
      cells.slice(2, 8).forEach((c, i) => {
        expect(score(model, datasets[i]).value, `${model} ${datasets[i]}`).toBe(Number(c.replace('ᵉ', '')));
        checked++;
      });
    }
    expect(checked).toBe(24);
  });
});

describe('which systems are held to a published score', () => {
  const [sym, asym, symq, bm25] = systemsOf('symmetric,asymmetric,symmetric-query,bm25') as [DenseSystem, DenseSystem, DenseSystem, SystemSpec];
  const [minilm] = systemsOf('symmetric', 'sentence-transformers/all-MiniLM-L6-v2');

  it('the asymmetric use of E5 and the symmetric model follow their protocols; symmetric uses of E5 and BM25 are other experiments', () => {
    expect(protocolClaim(registry, asym)).toMatchObject({ entry: { model: 'intfloat/e5-small-v2' }, differences: [] });
    expect(protocolClaim(registry, minilm)).toMatchObject({ entry: { model: 'sentence-transformers/all-MiniLM-L6-v2' }, differences: [] });
    for (const s of [sym, symq, bm25]) expect(protocolClaim(registry, s)).toBeUndefined();
  });

  it('int8 weights, a remote endpoint or another engine still claim the protocol: the measured score checks them', () => {
    const q8: DenseSystem = { ...asym, encoder: { kind: 'local', dtype: 'q8' } };
    const remote: DenseSystem = { ...asym, encoder: { kind: 'remote', urls: ['http://127.0.0.1:1/v1'], asymmetry: 'input-type' } };
    const hnsw: DenseSystem = { ...asym, engine: 'opensearch-knn' };
    for (const s of [q8, remote, hnsw]) expect(protocolClaim(registry, s)?.differences).toEqual([]);
  });

  it('an asymmetric system whose declared settings drift from the protocol is held to it, with the drift named', () => {
    const drifted: DenseSystem = { ...asym, model: { ...asym.model, pooling: 'cls', maxLength: 128, queryPrefix: 'query:' } };
    expect(protocolClaim(registry, drifted)?.differences).toEqual([
      'query prefix "query:", published "query: "',
      'pooling cls, published mean',
      'max length 128, published 512',
    ]);
    // Explicit strings equal to the protocol's are the protocol; other explicit strings are another experiment.
    expect(protocolClaim(registry, { ...sym, prefix: { query: 'query: ', passage: 'passage: ' } })?.differences).toEqual([]);
    expect(protocolClaim(registry, { ...sym, prefix: { query: 'search_query: ', passage: 'search_document: ' } })).toBeUndefined();
  });
});

describe('registry file errors name the file, the line and the field', () => {
  const base = (models: string, tolerance = 'NDCG@10: 0.005') =>
    `tolerance:\n  ${tolerance}\nsources:\n  s: { title: T, url: https://x }\nmodels:\n${models}`;
  const entry = (scores: string) =>
    `  - model: m/x\n    protocol: { queryPrefix: "", passagePrefix: "", pooling: mean, maxLength: 256, normalize: true }\n    scores:\n${scores}`;

  it.each([
    ['an unknown dataset', base(entry('      scifakt: { NDCG@10: 0.5, source: s }')), /^reg\.yaml:9: models\[0\]\.scores\.scifakt: .*scifakt/],
    ['an unknown source', base(entry('      scifact: { NDCG@10: 0.5, source: mteb }')), /^reg\.yaml:9: models\[0\]\.scores\.scifact\.source: unknown source "mteb"; expected one of s$/],
    ['no source', base(entry('      scifact: { NDCG@10: 0.5 }')), /^reg\.yaml:9: models\[0\]\.scores\.scifact: "source" is required/],
    ['a metric without tolerance', base(entry('      scifact: { MAP@10: 0.5, source: s }')), /^reg\.yaml:9: models\[0\]\.scores\.scifact\.MAP@10: no tolerance is given for MAP@10/],
    ['an unknown metric', base(entry('      scifact: { NDGC@10: 0.5, source: s }')), /^reg\.yaml:9: models\[0\]\.scores\.scifact\.NDGC@10: unknown metric "NDGC@10"/],
    ['a score above 1', base(entry('      scifact: { NDCG@10: 68.9, source: s }')), /^reg\.yaml:9: models\[0\]\.scores\.scifact\.NDCG@10: expected a score between 0 and 1, got 68\.9/],
    ['a model listed twice', base(`${entry('      scifact: { NDCG@10: 0.5, source: s }')}\n${entry('      nfcorpus: { NDCG@10: 0.3, source: s }')}`), /^reg\.yaml:10: models\[1\]\.model: model "m\/x" is listed twice/],
    ['a protocol without pooling', base('  - model: m/x\n    protocol: { queryPrefix: "", passagePrefix: "", maxLength: 256, normalize: true }\n    scores:\n      scifact: { NDCG@10: 0.5, source: s }'), /^reg\.yaml:7: models\[0\]\.protocol: "pooling" is required/],
  ])('%s', (_, text, error) => {
    expect(() => parsePublishedScores(text, 'reg.yaml')).toThrow(error);
  });
});

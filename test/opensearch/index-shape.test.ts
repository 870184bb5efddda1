import { describe, expect, it } from 'vitest';
import { createIndexBody, indexName, reuseMismatch, type IndexSpec } from '../../src/backends/opensearch-index.js';
import { redactUrl } from '../../src/backends/opensearch-client.js';

// Pure functions: no node needed.
const spec: IndexSpec = {
  key: { dataset: 'scifact', model: 'intfloat/e5-small-v2', system: 'e5-small-v2.asymmetric', docSet: 'all', fingerprint: 'abc' },
  vector: { dimension: 384, engine: 'lucene', spaceType: 'cosinesimil', m: 16, efConstruction: 100 },
};

/** What GET /<index>/_mapping returns for an index created from spec (the server adds nothing we check). */
function stored(s: IndexSpec) {
  const m = (createIndexBody(s).mappings as Record<string, unknown>);
  return { _meta: m._meta as Record<string, unknown>, properties: m.properties as Record<string, unknown> };
}

describe('indexName', () => {
  it('is lowercase [a-z0-9-], readable, and distinct for keys that slug alike', () => {
    const name = indexName({ dataset: 'SciFact', model: 'intfloat/e5-small-v2', system: 'e5-small-v2.asymmetric', docSet: 'all' });
    expect(name).toMatch(/^beir-bench-scifact-e5-small-v2-asymmetric-[0-9a-f]{8}$/);
    // Same system id, different models (a/b vs a-b): the hash keeps the names apart.
    expect(indexName({ dataset: 'd', model: 'a/b', system: 'b.x', docSet: 'all' })).not.toBe(indexName({ dataset: 'd', model: 'a-b', system: 'b.x', docSet: 'all' }));
    expect(indexName({ dataset: 'd', model: 'm', system: 'x', docSet: 'all' }, 'my-prefix')).toMatch(/^my-prefix-d-x-/);
    // A slice of the corpus gets an index of its own.
    expect(indexName({ dataset: 'd', model: 'm', system: 'x', docSet: 'slice' })).not.toBe(indexName({ dataset: 'd', model: 'm', system: 'x', docSet: 'all' }));
  });
});

describe('reuseMismatch', () => {
  it('accepts an index built from the same spec with the same doc count', () => {
    expect(reuseMismatch({ mapping: stored(spec), docCount: 10 }, spec, 10)).toBeNull();
  });

  it('names what differs: metadata (fingerprint, HNSW params), mapping, doc count', () => {
    const other = { ...spec, key: { ...spec.key, fingerprint: 'def' } };
    expect(reuseMismatch({ mapping: stored(other), docCount: 10 }, spec, 10)).toMatch(/metadata differs.*"def"/);
    const m32 = { ...spec, vector: { ...spec.vector!, m: 32 } };
    expect(reuseMismatch({ mapping: stored(m32), docCount: 10 }, spec, 10)).toMatch(/metadata differs/);
    const tampered = stored(spec);
    tampered.properties = { ...tampered.properties, vector: { type: 'knn_vector', dimension: 768 } };
    expect(reuseMismatch({ mapping: tampered, docCount: 10 }, spec, 10)).toBe('its field mapping differs');
    expect(reuseMismatch({ mapping: stored(spec), docCount: 9 }, spec, 10)).toBe('it holds 9 documents, expected 10');
    expect(reuseMismatch({ mapping: {}, docCount: 10 }, spec, 10)).toMatch(/metadata differs \(stored null\)/);
  });
});

describe('redactUrl', () => {
  it('strips user and password, leaves other URLs alone', () => {
    expect(redactUrl('https://u:p@host:9200/')).toBe('https://host:9200/');
    expect(redactUrl('http://127.0.0.1:9200')).toBe('http://127.0.0.1:9200');
  });
});

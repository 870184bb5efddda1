import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import type { ConditionCheck } from '../../src/regress/check.js';
import { junitXml } from '../../src/regress/junit.js';
import { judgeMetric, type RunDifference } from '../../src/regress/verdict.js';
import { junitErrors } from './helpers.js';

function condition(name: string, checks: ConditionCheck['checks'], extra: Partial<ConditionCheck> = {}): ConditionCheck {
  const [entry, system] = name.split('/');
  return { matrix: 'm&<x>', condition: name, entry, dataset: 'scifact', system, kind: 'approximate', verdict: checks[0].verdict, checks, inputChanges: [], notes: [], ...extra };
}

const REPRODUCED: RunDifference = { queries: 300, changed: 0, largest: [], ci95: null };
const SMALL: RunDifference = { queries: 300, changed: 2, largest: [{ query: 'q<1>', baseline: 0.5, tonight: 0.4 }], ci95: [-0.0012, 0] };
const LARGE: RunDifference = { queries: 300, changed: 40, largest: [{ query: 'q2', baseline: 1, tonight: 0 }], ci95: [-0.04, -0.01] };
const judge = (got: number, difference: RunDifference, kind: 'deterministic' | 'approximate' = 'approximate', inputChanged = false) =>
  judgeMetric({ metric: 'ndcg_cut.10', expected: 0.6651, got, kind, margin: 0.01, difference, inputChanged });

const CONDITIONS = [
  condition('scifact/bm25', [judge(0.6651, REPRODUCED), { ...judge(0.6647, SMALL), metric: 'map_cut.10' }]),
  condition('scifact/e5 "<asym>"', [judge(0.64, LARGE), { ...judge(0.6647, SMALL, 'deterministic'), metric: 'recall.10' }], {
    notes: ['the strings sent to the model changed & more'],
  }),
  condition('nfcorpus/e5', [judge(0.6651, REPRODUCED, 'approximate', true)], { inputChanges: ['content.corpus.jsonl: "a" -> "b"'] }),
];

describe('JUnit XML', () => {
  it('validates against the Jenkins JUnit schema, with one testcase per condition x metric', async () => {
    const xml = junitXml(CONDITIONS, { name: 'beir-bench regress m', timestamp: '2026-12-01T03:17:00.123Z', seconds: 12.5 });
    expect(await junitErrors(xml)).toEqual([]);
    const doc = create(xml).end({ format: 'object' }) as { testsuites: { '@tests': string; '@failures': string; '@errors': string; testsuite: unknown[] } };
    expect(doc.testsuites['@tests']).toBe('5');
    expect(doc.testsuites['@failures']).toBe('2');
    expect(doc.testsuites['@errors']).toBe('1');
    expect(doc.testsuites.testsuite).toHaveLength(3);
    expect(xml).toContain('<testcase classname="m&amp;&lt;x&gt;.scifact" name="scifact/bm25 NDCG@10"/>');
    expect(xml).toContain(
      '<system-out>OK*: expected 0.6651, got 0.6647 (-0.0004); 2 of 300 queries changed; 95% CI of the mean change [-0.0012, +0.0000] within ±0.01</system-out>',
    );
    expect(xml).toContain(
      '<failure type="FAIL" message="expected 0.6651, got 0.6400 (-0.0251); 40 of 300 queries changed; 95% CI of the mean change [-0.0400, -0.0100] not within ±0.01: the change is not shown to be small">',
    );
    expect(xml).toContain('largest changes: q2 1.0000 -&gt; 0.0000');
    expect(xml).toContain('message="expected 0.6651, got 0.6647 (-0.0004); 2 of 300 queries changed: a deterministic condition must reproduce its stored baseline run"');
    expect(xml).toContain('largest changes: q&lt;1&gt; 0.5000 -&gt; 0.4000');
    expect(xml).toContain('<error type="CHANGED-INPUT" message="inputs differ from the matrix: content.corpus.jsonl: &quot;a&quot; -&gt; &quot;b&quot;">');
    expect(xml).toContain('timestamp="2026-12-01T03:17:00"');
  });

  it('the validator is live: it rejects what the schema does not allow', async () => {
    // A testsuites element with a skipped count (as some JUnit writers emit) and a testcase without a name.
    const bad = '<testsuites tests="1" skipped="0"><testsuite name="s" tests="1"><testcase classname="c"/></testsuite></testsuites>';
    const errors = await junitErrors(bad);
    expect(errors.join('\n')).toMatch(/attribute 'skipped': The attribute 'skipped' is not allowed/);
    expect(errors.join('\n')).toMatch(/Element 'testcase': The attribute 'name' is required but missing/);
  });
});

import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import type { ConditionCheck } from '../../src/regress/check.js';
import { junitXml } from '../../src/regress/junit.js';
import { judgeMetric } from '../../src/regress/verdict.js';
import { junitErrors } from './helpers.js';

function condition(name: string, checks: ConditionCheck['checks'], extra: Partial<ConditionCheck> = {}): ConditionCheck {
  const [entry, system] = name.split('/');
  return { matrix: 'm&<x>', condition: name, entry, dataset: 'scifact', system, alpha: 0.05, verdict: checks[0].verdict, checks, inputChanges: [], notes: [], ...extra };
}

const judge = (got: number, pValue: number | null, inputChanged = false) =>
  judgeMetric({ metric: 'ndcg_cut.10', expected: 0.6651, got, tolerance: 0.001, inputChanged, pValue, alpha: 0.05 });

const CONDITIONS = [
  condition('scifact/bm25', [judge(0.6655, null), { ...judge(0.66, 0.3), metric: 'map_cut.10' }]),
  condition('scifact/e5 "<asym>"', [judge(0.64, 0.0001), { ...judge(0.64, null), metric: 'recall.10' }], { notes: ['the strings sent to the model changed & more'] }),
  condition('nfcorpus/e5', [judge(0.6651, null, true)], { inputChanges: ['files.corpus.jsonl: "a" -> "b"'] }),
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
    expect(xml).toContain('<system-out>OK*: expected 0.6651 ± 0.001, got 0.6600 (-0.0051); not significant against the stored baseline run (p = 0.300 &gt;= 0.05)</system-out>');
    expect(xml).toContain('<failure type="FAIL" message="expected 0.6651 ± 0.001, got 0.6400 (-0.0251); significant against the stored baseline run: p = &lt;0.001 &lt; 0.05">');
    expect(xml).toContain('message="expected 0.6651 ± 0.001, got 0.6400 (-0.0251); no stored baseline run to test against"');
    expect(xml).toContain('<error type="CHANGED-INPUT" message="inputs differ from the matrix: files.corpus.jsonl: &quot;a&quot; -&gt; &quot;b&quot;">');
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

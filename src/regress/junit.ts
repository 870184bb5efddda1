/**
 * JUnit XML for CI systems (GitHub, GitLab, Jenkins show it natively): one testsuite per condition, one testcase
 * per condition x metric. FAIL is a <failure> (the reason and the largest per-query changes); CHANGED-INPUT is an
 * <error> (the check could not be judged: its inputs changed); OK* passes with the equivalence test in <system-out>. Laid out to validate against the Jenkins JUnit
 * schema (test/regress/junit.test.ts checks it).
 */
import { hostname } from 'node:os';
import { create } from 'xmlbuilder2';
import { displayName } from '../eval/metrics.js';
import { fmtScore, signed } from '../report/numbers.js';
import type { ConditionCheck } from './check.js';
import { checkWords, largestChanges } from './report.js';

export function junitXml(conditions: readonly ConditionCheck[], opts: { name: string; timestamp: string; seconds: number }): string {
  const all = conditions.flatMap((c) => c.checks);
  const count = (v: string) => all.filter((m) => m.verdict === v).length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: opts.name,
    tests: String(all.length),
    failures: String(count('FAIL')),
    errors: String(count('CHANGED-INPUT')),
    time: opts.seconds.toFixed(3),
  });
  for (const c of conditions) {
    const suite = root.ele('testsuite', {
      name: `${c.matrix}: ${c.condition}`,
      tests: String(c.checks.length),
      failures: String(c.checks.filter((m) => m.verdict === 'FAIL').length),
      errors: String(c.checks.filter((m) => m.verdict === 'CHANGED-INPUT').length),
      timestamp: opts.timestamp.replace(/\.\d+Z$/, '').replace(/Z$/, ''),
      hostname: hostname(),
      package: c.matrix,
    });
    for (const m of c.checks) {
      const testcase = suite.ele('testcase', { classname: `${c.matrix}.${c.entry}`, name: `${c.condition} ${displayName(m.metric)}` });
      const numbers = `expected ${fmtScore(m.expected)}, got ${fmtScore(m.got)} (${signed(m.delta)})`;
      const largest = m.largest.length > 0 ? [`largest changes: ${largestChanges(m.largest)}`] : [];
      if (m.verdict === 'FAIL') {
        testcase.ele('failure', { type: 'FAIL', message: `${numbers}; ${m.reason}` }).txt([checkWords(c, m), ...largest, ...c.notes].join('\n'));
      } else if (m.verdict === 'CHANGED-INPUT') {
        testcase.ele('error', { type: 'CHANGED-INPUT', message: `inputs differ from the matrix: ${c.inputChanges.join('; ')}` }).txt([numbers, ...c.inputChanges].join('\n'));
      } else if (m.verdict === 'OK*') {
        testcase.ele('system-out').txt(`OK*: ${numbers}; ${m.reason}`);
      }
    }
  }
  return root.end({ prettyPrint: true });
}

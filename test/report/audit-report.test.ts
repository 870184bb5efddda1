/** The deployment audit in results.json (schema-valid, optional) and in every report format. */
import { describe, expect, it } from 'vitest';
import type { DeploymentAudit } from '../../src/audit/audit-result.js';
import { quantiles } from '../../src/audit/vector-stats.js';
import { combineResults } from '../../src/report/combine.js';
import { reportNotes } from '../../src/report/comparison-rows.js';
import { renderReport } from '../../src/report/report-files.js';
import { checkResults } from '../../src/results/read-results.js';
import { fixtureResults } from './fixture.js';

const setting = (prefix: string) => ({ prefix, maxLength: 512, padPooling: null });

/** What the audit records for a deployment that swapped the prefixes (numbers as measured on SciFact). */
const SWAPPED: DeploymentAudit = {
  threshold: 0.9999,
  reference: { model: 'intfloat/e5-small-v2', dtype: 'fp32', prefixes: { query: 'query: ', passage: 'passage: ' } },
  sample: { passages: 4, queries: 3, seed: 42 },
  cosine: { passages: quantiles([0.9369, 0.9559, 0.9601, 0.9588]), queries: quantiles([0.9012, 0.9348, 0.9532]) },
  norm: { passages: quantiles([1, 1, 1, 1]), queries: quantiles([1, 1, 1]) },
  runs: { reference: 'e5-small-v2.asymmetric.client', metric: 'ndcg_cut.10', server: 0.6012, client: 0.6431, delta: 0.6012 - 0.6431, overlap: 0.713 },
  verdict: 'mismatch',
  diagnosis: {
    match: 'exact',
    causes: [{ id: 'prefixes-swapped', text: 'prefixes swapped (passages got "query: ", queries "passage: ")' }],
    summary: 'prefixes swapped (passages got "query: ", queries "passage: ")',
    sides: {
      passages: { texts: 4, match: 'exact', setting: setting('query: '), tried: [{ setting: setting('query: '), minCosine: 0.99999, meanCosine: 0.99999 }] },
      queries: { texts: 3, match: 'exact', setting: setting('passage: '), tried: [{ setting: setting('passage: '), minCosine: 0.99999, meanCosine: 0.99999 }] },
    },
  },
};

async function auditedRun() {
  const results = await fixtureResults({ runId: 'audit', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] });
  results.datasets[0].systems[1].audit = SWAPPED;
  // Through JSON and the schema, as `report` reads a file.
  return checkResults(JSON.parse(JSON.stringify(results)), 'results.json');
}

describe('deployment audit in results and reports', () => {
  it('validates against the results schema, and files without it still do', async () => {
    const results = await auditedRun();
    expect(results.datasets[0].systems[1].audit?.diagnosis?.causes[0].id).toBe('prefixes-swapped');
    expect(results.datasets[0].systems[0].audit).toBeUndefined();
    const broken = JSON.parse(JSON.stringify(results));
    broken.datasets[0].systems[1].audit.verdict = 'fine';
    await expect(checkResults(broken, 'results.json')).rejects.toThrow(/verdict/);
  });

  it('adds one note line per audited system (the terminal report), with verdict, cosines and the run difference', async () => {
    const notes = reportNotes(combineResults([{ results: await auditedRun(), source: 'results.json' }]));
    const line = notes.find((n) => n.includes('Deployment audit'));
    expect(line).toBe(
      '  Deployment audit of Asymmetric: MISMATCH, reproduced exactly by: prefixes swapped (passages got "query: ", queries "passage: "). ' +
        'Cosine to the reference min/median: passages 0.93690/0.95735, queries 0.90120/0.93480; ' +
        'NDCG@10 server-embedded 0.6012 vs client-embedded 0.6431 (Δ -0.0419), top-10 overlap 71.3%.',
    );
  });

  it('gives markdown and HTML a section with the quantile table, JSON the audit; runs without audits have none', async () => {
    const model = combineResults([{ results: await auditedRun(), source: 'results.json' }]);
    const md = await renderReport(model, 'md');
    expect(md).toContain('## Deployment audit\n\n### Asymmetric on SciFact\n\n**MISMATCH, reproduced exactly by: prefixes swapped');
    expect(md).toContain('| passages (4) | cosine | 0.93690 | 0.93975 | 0.95735 | 0.95991 | 0.96010 |');
    expect(md).toContain('reference: intfloat/e5-small-v2 fp32, local encoder, queries prefixed "query: ", passages "passage: "; 4 passages sampled (seed 42), 3 queries.');
    const html = await renderReport(model, 'html');
    expect(html).toContain('<h2>Deployment audit</h2>\n<h3>Asymmetric on SciFact</h3>');
    expect(html).toContain('<td>queries (3)</td><td>cosine</td><td class="num">0.90120</td>');
    const json = JSON.parse(await renderReport(model, 'json')) as { datasets: { systems: { audit?: unknown }[] }[] };
    expect(json.datasets[0].systems.map((x) => x.audit)).toEqual([undefined, SWAPPED]);
    const plain = combineResults([{ results: await fixtureResults({ runId: 'plain', arms: 'symmetric,asymmetric', datasets: [{ name: 'scifact' }] }), source: 'x' }]);
    expect(await renderReport(plain, 'md')).not.toContain('Deployment audit');
    expect(await renderReport(plain, 'html')).not.toContain('Deployment audit');
  });
});

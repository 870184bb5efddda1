/**
 * The report as JSON: the combined table's numbers at full precision for other tools (a spreadsheet, a
 * plotting notebook). Not results.json: no per-query scores or provenance beyond the run ids; those stay in
 * each run's results.json. Fields are documented in docs/REPORTS.md.
 */
import type { ReportModel } from './combine.js';

export function reportJson(model: ReportModel): string {
  const doc = {
    runs: model.runs.map((r) => ({
      n: r.n,
      runId: r.runId,
      source: r.source,
      startedAt: r.results.startedAt,
      seed: r.results.config.seed,
      ...(r.results.imported ? { imported: r.results.imported } : {}),
    })),
    columns: model.columns.map((c) => ({ id: c.id, label: c.label, runs: c.runs, system: c.system })),
    k: model.k,
    metrics: model.metrics,
    datasets: model.datasets.map((d) => ({
      name: d.name,
      displayName: d.displayName,
      bias: d.stats.bias,
      split: d.split,
      docs: d.docs,
      queries: d.queries,
      systems: d.cells.map((c) => ({
        column: c.column,
        run: c.run,
        queriesScored: c.results.queriesScored,
        mean: Object.fromEntries(model.metrics.map((m) => [m, c.results.mean[m]])),
        ci95: c.ci95,
        ...(c.published.length ? { published: c.published } : {}),
        ...(c.results.approximation ? { approximation: c.results.approximation } : {}),
        ...(c.results.audit ? { audit: c.results.audit } : {}),
      })),
      comparisons: d.comparisons,
      ...(d.meansComparisons.length ? { meansComparisons: d.meansComparisons } : {}),
      ...(d.fusionSweeps.length ? { fusionSweeps: d.fusionSweeps } : {}),
    })),
    inputDifferences: model.inputDifferences,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

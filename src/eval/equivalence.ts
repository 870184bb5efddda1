/**
 * The equivalence gate: may a faster encoding (another dtype or weights file of the same model) be reported in place
 * of the baseline? Per dataset and system, the paired statistics of comparePaired on the two runs' per-query scores
 * must show the difference is negligible: the paired bootstrap 95% interval of Δ inside ±ciBound and |Δ mean| at
 * most meanBound. Absence of a significant difference is not enough; the interval has to be narrow and near 0.
 */
import { UserError } from '../errors.js';
import type { DatasetResults, ResultsFile, SystemResults } from '../results/schema.js';
import type { SystemSpec } from '../systems/system.js';
import { comparePaired, type MetricComparison } from './compare.js';
import { isEquivalent, type EquivalenceBounds } from './equivalence-rule.js';
import type { EvalResult } from './evaluate.js';
import type { MetricName } from './metrics.js';

export interface EquivalenceRow {
  dataset: string;
  /** The baseline's system id, and the candidate's (they differ by the dtype suffix). */
  baseline: string;
  candidate: string;
  /** What encoded each side ('bm25' for a lexical system). */
  baselineEncoder: string;
  candidateEncoder: string;
  comparison: MetricComparison;
  pass: boolean;
}

/**
 * Pair the baseline's systems with the candidate's (same spec but for ids and dtypes), on the datasets both ran with
 * the same inputs, and judge each pair on `metric`. Refuses (UserError) anything that would make the verdict
 * meaningless: different dataset files or slices, a system without a partner, different query sets.
 */
export function checkEquivalence(
  base: ResultsFile,
  cand: ResultsFile,
  metric: MetricName,
  bounds: EquivalenceBounds,
  stats: { permutations: number; bootstrapSamples: number; seed: number },
): EquivalenceRow[] {
  const partners = base.systems.map((s) => {
    const match = cand.systems.filter((c) => specKey(c) === specKey(s));
    if (match.length !== 1) throw new UserError(`the candidate run ${cand.runId} has ${match.length} systems matching ${s.id} of ${base.runId} (same settings but dtype): run both with the same --arms / --systems`);
    return [s.id, match[0].id] as const;
  });
  const rows: EquivalenceRow[] = [];
  for (const d of base.datasets) {
    const other = cand.datasets.find((x) => x.name === d.name);
    if (!other) throw new UserError(`the candidate run ${cand.runId} has no ${d.name}: run it with the same --dataset`);
    checkSameInputs(d, other, base.runId, cand.runId);
    for (const [baseId, candId] of partners) {
      const a = systemOf(d, baseId);
      const b = systemOf(other, candId);
      const [ea, eb] = [asEval(a, metric, base.runId, d.name), asEval(b, metric, cand.runId, d.name)];
      if (ea.queriesScored !== eb.queriesScored || [...ea.perQuery.keys()].some((q) => !eb.perQuery.has(q))) {
        throw new UserError(`${d.name}: ${baseId} and ${candId} scored different queries (${ea.queriesScored} vs ${eb.queriesScored}): run both with the same --max-queries and --split`);
      }
      // comparePaired reads qrels only for caution flags, which this verdict does not use.
      const [comparison] = comparePaired(ea, eb, new Map(), stats);
      rows.push({
        dataset: d.name,
        baseline: baseId,
        candidate: candId,
        baselineEncoder: encoderLabel(a),
        candidateEncoder: encoderLabel(b),
        comparison,
        pass: isEquivalent(comparison, bounds),
      });
    }
  }
  return rows;
}

/** A system's settings but its id, label and encoder dtype (a hybrid's components alike): equal for partners. */
function specKey(s: SystemSpec): string {
  const strip = (x: SystemSpec): unknown => {
    const { id: _id, label: _label, ...rest } = x;
    return {
      ...rest,
      ...('encoder' in rest && rest.encoder.kind === 'local' && { encoder: { ...rest.encoder, dtype: undefined } }),
      ...('components' in rest && { components: rest.components.map(strip) }),
    };
  };
  return JSON.stringify(strip(s));
}

function checkSameInputs(a: DatasetResults, b: DatasetResults, runA: string, runB: string): void {
  const files = (d: DatasetResults) => JSON.stringify(Object.entries(d.files).map(([k, f]) => [k, f.sha256]).sort());
  if (files(a) !== files(b) || a.split !== b.split || a.docs !== b.docs || a.queries !== b.queries) {
    throw new UserError(
      `${a.name}: ${runA} and ${runB} ran on different inputs (${a.docs} vs ${b.docs} docs, ${a.queries} vs ${b.queries} queries, split ${a.split} vs ${b.split}, or other dataset files): run both with the same --data-dir, --max-docs and --max-queries`,
    );
  }
}

function systemOf(d: DatasetResults, id: string): SystemResults {
  const s = d.systems.find((x) => x.system === id);
  if (!s) throw new UserError(`${d.name}: no results for system ${id}`);
  return s;
}

function asEval(s: SystemResults, metric: MetricName, runId: string, dataset: string): EvalResult {
  const ids = Object.keys(s.perQuery);
  if (ids.length === 0) throw new UserError(`${runId} ${dataset} ${s.system}: no per-query scores (an imported table?): the gate needs two real runs`);
  if (!(metric in s.mean)) throw new UserError(`${runId} ${dataset} ${s.system}: no ${metric} scored: rerun bench with it in --metrics, or pick another --metric`);
  const perQuery = new Map(ids.map((q) => [q, { [metric]: s.perQuery[q][metric] }]));
  return { metrics: [metric], perQuery, mean: { [metric]: s.mean[metric] }, queriesScored: s.queriesScored, qrelsQueriesMissingFromRun: 0, runQueriesWithoutQrels: 0, selfHitsRemoved: 0 };
}

function encoderLabel(s: SystemResults): string {
  const e = s.encoder;
  if (!e) return s.system;
  if (e.kind === 'remote') return `remote ${e.endpointModel} (${e.fingerprint.slice(0, 12)})`;
  return `${e.dtype} ${e.weightsSha256.slice(0, 12)}`;
}

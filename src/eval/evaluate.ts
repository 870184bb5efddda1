import { UserError } from '../errors.js';
import { compareUtf8, withoutSelfHit, type Scored } from '../ranking.js';
import type { Qrels, Run } from '../types.js';
import { rankTop } from './top-k.js';
import { judgmentsOf, valueOf, type Judgments } from './measures.js';
import { deepestCutoff, measureOf, type Measure, type MetricName } from './metrics.js';

export interface EvalOptions {
  metrics: MetricName[];
  /** BEIR's ignore_identical_ids: drop a retrieved doc whose id equals the query id before ranking. */
  ignoreIdenticalIds: boolean;
  /** trec_eval -c: average over every qrels query, a query missing from the run scoring 0. */
  averageOverAllQrels: boolean;
}

export interface EvalResult {
  metrics: MetricName[];
  /** The averaged queries, in trec_eval's order (query id by UTF-8 bytes). */
  perQuery: Map<string, Record<MetricName, number>>;
  mean: Record<MetricName, number>;
  queriesScored: number;
  qrelsQueriesMissingFromRun: number;
  runQueriesWithoutQrels: number;
  /** Queries whose self hit (doc id = query id) was dropped before ranking (0 unless ignoreIdenticalIds). */
  selfHitsRemoved: number;
}

/**
 * Scores queries one at a time and assembles the EvalResult, so the in-memory and the streaming
 * (run file) paths share every rule. Only per-query metric values are kept, never the docs.
 */
export class QueryScorer {
  private readonly measures: Measure[];
  private readonly depth: number;
  private readonly judgments = new Map<string, Judgments>();
  private readonly scored = new Map<string, Record<MetricName, number>>();
  private readonly runQueries = new Set<string>();
  private readonly selfHitQueries = new Set<string>();
  private deepest = 0;

  constructor(
    private readonly qrels: Qrels,
    private readonly opts: EvalOptions,
  ) {
    if (opts.metrics.length === 0) throw new UserError('no metrics requested');
    this.measures = opts.metrics.map(measureOf);
    this.depth = deepestCutoff(opts.metrics);
  }

  /** Whether docs of this query matter (it has qrels); callers may skip collecting them otherwise. */
  wants(queryId: string): boolean {
    return this.qrels.has(queryId);
  }

  /** Note a run query without scoring it (it has no qrels). */
  see(queryId: string): void {
    this.runQueries.add(queryId);
  }

  /** Score one run query from all its docs (doc id -> score). Scoring a query again replaces its values. */
  score(queryId: string, docs: Map<string, number>): void {
    this.runQueries.add(queryId);
    if (!this.qrels.has(queryId)) return;
    const dropSelf = this.opts.ignoreIdenticalIds && docs.has(queryId);
    this.record(queryId, rankTop(docs, this.depth, dropSelf ? queryId : undefined), dropSelf, docs.size - (dropSelf ? 1 : 0));
  }

  /** Score one run query from its hits already in the shared ranking order (nothing is re-sorted). */
  scoreRanked(queryId: string, hits: readonly Scored[]): void {
    this.runQueries.add(queryId);
    if (!this.qrels.has(queryId)) return;
    const kept = this.opts.ignoreIdenticalIds ? withoutSelfHit(hits, queryId) : hits;
    this.record(queryId, kept.slice(0, this.depth), kept !== hits, kept.length);
  }

  private record(queryId: string, ranked: readonly Scored[], droppedSelf: boolean, hits: number): void {
    this.deepest = Math.max(this.deepest, hits);
    let j = this.judgments.get(queryId);
    if (!j) this.judgments.set(queryId, (j = judgmentsOf(this.qrels.get(queryId))));
    if (droppedSelf) this.selfHitQueries.add(queryId);
    else this.selfHitQueries.delete(queryId);
    const gains = ranked.map((d) => j.grades.get(d.id) ?? 0);
    const values: Record<MetricName, number> = {};
    this.opts.metrics.forEach((name, i) => (values[name] = valueOf(this.measures[i].kind, gains, this.measures[i].k, j)));
    this.scored.set(queryId, values);
  }

  /** The most hits any scored query held, its self hit removed: how deep the run evidently is (src/eval/run-depth.ts). */
  get maxHits(): number {
    return this.deepest;
  }

  result(): EvalResult {
    const { metrics, averageOverAllQrels } = this.opts;
    if (this.scored.size === 0) throw noOverlap(this.qrels, this.runQueries);
    const zeros = Object.fromEntries(metrics.map((m) => [m, 0]));
    const ids = averageOverAllQrels ? [...this.qrels.keys()] : [...this.scored.keys()];
    ids.sort(compareUtf8);
    const perQuery = new Map<string, Record<MetricName, number>>();
    const mean: Record<MetricName, number> = { ...zeros };
    for (const id of ids) {
      const values = this.scored.get(id) ?? { ...zeros };
      perQuery.set(id, values);
      for (const m of metrics) mean[m] += values[m];
    }
    for (const m of metrics) mean[m] /= ids.length;
    let runQueriesWithoutQrels = 0;
    for (const id of this.runQueries) if (!this.qrels.has(id)) runQueriesWithoutQrels++;
    return {
      metrics: [...metrics],
      perQuery,
      mean,
      queriesScored: ids.length,
      qrelsQueriesMissingFromRun: this.qrels.size - this.scored.size,
      runQueriesWithoutQrels,
      selfHitsRemoved: this.selfHitQueries.size,
    };
  }
}

function noOverlap(qrels: Qrels, runQueries: Set<string>): UserError {
  const sample = (ids: Iterable<string>) => [...ids].slice(0, 3).map((s) => JSON.stringify(s)).join(', ') || 'none';
  return new UserError(
    `no query is in both the run (${runQueries.size} queries, e.g. ${sample(runQueries)}) and the qrels ` +
      `(${qrels.size} queries, e.g. ${sample(qrels.keys())}): wrong qrels split or files swapped?`,
  );
}

/** Score an in-memory run against qrels with trec_eval/BEIR semantics (docs/METRICS.md). */
export function evaluate(qrels: Qrels, run: Run, opts: EvalOptions): EvalResult {
  const scorer = new QueryScorer(qrels, opts);
  for (const [queryId, docs] of run) scorer.score(queryId, docs);
  return scorer.result();
}

/** evaluate() for a run whose hits are already in the shared ranking order (as engines return them). */
export function evaluateRanked(qrels: Qrels, run: ReadonlyMap<string, readonly Scored[]>, opts: EvalOptions): EvalResult {
  const scorer = new QueryScorer(qrels, opts);
  for (const [queryId, hits] of run) scorer.scoreRanked(queryId, hits);
  return scorer.result();
}

/** The result restricted to some of its metrics (in the order given). */
export function onlyMetrics(result: EvalResult, metrics: readonly MetricName[]): EvalResult {
  const pick = (values: Record<MetricName, number>) => Object.fromEntries(metrics.map((m) => [m, values[m]]));
  return { ...result, metrics: [...metrics], mean: pick(result.mean), perQuery: new Map([...result.perQuery].map(([q, v]) => [q, pick(v)])) };
}

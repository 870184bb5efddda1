import type { EvalResult } from './evaluate.js';
import { formatFixed } from './format.js';
import { trecEvalName } from './metrics.js';

/**
 * trec_eval's text layout, so the output diffs against `trec_eval -m ...`: one line per measure and
 * query, `printf("%-22s\t%s\t%6.4f\n", measure, qid, value)`, per-query lines (with -q) before the
 * `all` lines. Measure names are trec_eval's printed ones (ndcg_cut_10, P_10).
 */
export function formatTrecEval(result: EvalResult, perQuery: boolean): string {
  const lines: string[] = [];
  const line = (metric: string, qid: string, value: number) =>
    lines.push(`${trecEvalName(metric).padEnd(22)}\t${qid}\t${formatFixed(value, 4).padStart(6)}`);
  if (perQuery) {
    for (const [qid, values] of result.perQuery) for (const m of result.metrics) line(m, qid, values[m]);
  }
  for (const m of result.metrics) line(m, 'all', result.mean[m]);
  return lines.join('\n') + '\n';
}

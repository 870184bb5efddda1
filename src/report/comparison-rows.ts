import type { BenchOutcome, DatasetOutcome } from '../bench/run-bench.js';
import { displayName } from '../eval/metrics.js';
import type { ArmName } from '../models/spec.js';

/** The article's table shape, as data: one row per (dataset, metric); renderers only format it. */
export interface ReportTable {
  header: string[];
  /** Rows grouped by dataset; the first two cells (dataset, bias) repeat within a group. */
  groups: { dataset: string; bias: string; rows: string[][] }[];
}

const ARM_TITLES: Record<ArmName, string> = {
  symmetric: 'Symmetric',
  asymmetric: 'Asymmetric',
  'symmetric-query': 'Symmetric-query',
  bm25: 'BM25',
};

export const armTitle = (arm: ArmName): string => ARM_TITLES[arm];

export const fmtScore = (v: number): string => v.toFixed(4);

export function fmtChange(rel: number | null): string {
  if (rel === null || !Number.isFinite(rel)) return 'n/a';
  const pct = rel * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

export function fmtP(p: number | undefined): string {
  if (p === undefined) return '';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

const fmtCi = ([lo, hi]: [number, number]): string => `[${lo >= 0 ? '+' : ''}${lo.toFixed(4)}, ${hi >= 0 ? '+' : ''}${hi.toFixed(4)}]`;

function biasCell(d: DatasetOutcome): string {
  return d.stats.bias ?? 'n/a';
}

export function buildReportTable(outcome: BenchOutcome): ReportTable {
  const arms = outcome.config.arms;
  const comparisons = outcome.datasets[0]?.comparisons ?? [];
  const single = comparisons.length === 1;
  const header = ['Dataset', 'Bias', 'Metric', ...arms.map(armTitle)];
  for (const c of comparisons) {
    const tag = single ? '' : ` ${armTitle(c.arm)} vs ${armTitle(c.baseline)}`;
    header.push(`Change${tag} (%)`, `95% CI of Δ${tag}`, `p (Holm)${tag}`);
  }
  const groups = outcome.datasets.map((d) => ({
    dataset: d.displayName,
    bias: biasCell(d),
    rows: outcome.config.metrics.map((m) => {
      const row = [displayName(m), ...d.arms.map((a) => fmtScore(a.eval.mean[m]))];
      for (const c of d.comparisons) {
        const mc = c.metrics.find((x) => x.metric === m)!;
        const flag = mc.flags.length ? ' †' : '';
        row.push(`${fmtChange(mc.relativeChange)}${flag}`, fmtCi(mc.ci95), fmtP(mc.pHolm ?? mc.pValue));
      }
      return row;
    }),
  }));
  return { header, groups };
}

/** Lines explaining the table: priors vs measured gains, flags, the length analysis, approximation, violations. */
export function reportNotes(outcome: BenchOutcome): string[] {
  const notes: string[] = [];
  const primary = outcome.config.metrics[0];
  for (const d of outcome.datasets) {
    const s = d.stats;
    const prior = s.bias
      ? `expected bias ${s.bias} (length ratio r = ${s.lengthRatio?.toFixed(1)}, question share q = ${s.questionShare.toFixed(2)}${s.passagesSource === 'registry' ? ', passage length from the registry' : ''})`
      : `expected bias unavailable${s.unavailableReason ? ` (${s.unavailableReason})` : ''}`;
    notes.push(`${d.displayName}: ${prior}.`);
    for (const c of d.comparisons) {
      const mc = c.metrics.find((x) => x.metric === primary)!;
      notes.push(
        `  ${armTitle(c.arm)} vs ${armTitle(c.baseline)}: ${displayName(primary)} ${fmtChange(mc.relativeChange)} ` +
          `(Δ ${mc.meanDiff >= 0 ? '+' : ''}${mc.meanDiff.toFixed(4)}, 95% CI ${fmtCi(mc.ci95)}, p = ${fmtP(mc.pValue)}, Holm p = ${fmtP(mc.pHolm)}; ` +
          `wins/ties/losses ${mc.wins}/${mc.ties}/${mc.losses} over ${mc.n} queries).`,
      );
      for (const m of c.metrics) for (const f of m.flags) notes.push(`  † ${displayName(m.metric)}: ${f}`);
      const la = c.lengthAnalysis;
      const buckets = la.buckets.map((b) => `${b.label}: ${b.meanGain >= 0 ? '+' : ''}${b.meanGain.toFixed(4)} (n=${b.n})`).join('; ');
      notes.push(
        `  ${displayName(primary)} gain by query length (words) — ${buckets}; Spearman ρ(length, gain) = ${la.spearman === null ? 'n/a' : la.spearman.toFixed(3)}.`,
      );
    }
    for (const a of d.arms) {
      if (a.approximation) {
        const exact = a.approximation.exactMean[primary];
        notes.push(
          `  ${armTitle(a.arm)}: HNSW top-${outcome.config.k} overlap with exact search ${(a.approximation.meanOverlap * 100).toFixed(1)}%; ` +
            `${displayName(primary)} approximate ${fmtScore(a.eval.mean[primary])} vs exact ${fmtScore(exact)} (Δ ${(a.eval.mean[primary] - exact).toFixed(4)}).`,
        );
      }
    }
    const missing = d.data.qrelsDocsMissingFromCorpus;
    if (missing.rows > 0) notes.push(`  ${missing.rows} qrels rows name ${missing.docIds} doc ids absent from the corpus (e.g. ${missing.examples.slice(0, 3).join(', ')}).`);
    if (d.invariantViolations.length) {
      notes.push(`  !! ${d.invariantViolations.length} metric invariant violation(s) — a bug upstream; see results.json.`);
    }
  }
  return notes;
}

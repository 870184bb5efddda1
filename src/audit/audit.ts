/**
 * The deployment audit: are the vectors a deployment (e.g. OpenSearch embedding through ml-commons) produced the
 * ones the reference local encoder gives under the system's settings? For a seeded sample of passages and every
 * query it compares the server's vectors with the reference's (cosine quantiles, norms), sets the server-embedded
 * run against the client-embedded one, and, when the vectors disagree, names the usual mistake that reproduces
 * them (src/audit/hypotheses.ts). docs/AUDIT.md shows how to read it.
 */
import type { RankedRun } from '../ranking.js';
import type { Corpus } from '../datasets/corpus.js';
import type { LocalEncoder } from '../embed/encoder.js';
import { UserError } from '../errors.js';
import { Prng } from '../eval/prng.js';
import { topKOverlap } from '../eval/overlap.js';
import { passageText, type Prefixes } from '../models/input-text.js';
import type { ModelSpec } from '../models/spec.js';
import type { Doc, Matrix, Query } from '../types.js';
import type { Cause, DeploymentAudit, Diagnosis, RunAgreement, SettingScore, SideFinding } from './audit-result.js';
import { diagnoseSide, encodeAs, MATCH_COSINE } from './diagnose.js';
import { candidateStages, configuredSetting, describeSetting, encoderCauses, prefixCause, type Side } from './hypotheses.js';
import { pickRows, quantiles, rowCosines, rowNorms } from './vector-stats.js';

/** Where the server's vectors come from: e.g. a kNN index's `_source` and ml-commons `_predict`, or an endpoint. */
export interface ServerVectors {
  /** The vectors the deployment stored for these passages, rows in order. */
  passages(docs: readonly Doc[]): Promise<Matrix>;
  /** The vectors the deployment embeds these queries as, rows in order. */
  queries(queries: readonly Query[]): Promise<Matrix>;
}

/** The server-embedded run and the same system's client-embedded run, both cut and scored by the bench loop. */
export interface RunsToCompare {
  /** Id of the client-embedded system. */
  reference: string;
  metric: string;
  k: number;
  server: { run: RankedRun; mean: Record<string, number> };
  client: { run: RankedRun; mean: Record<string, number> };
}

export interface AuditOptions {
  /** Passages sampled (default 100; all when the corpus is smaller). Every query is compared. */
  passages?: number;
  /** Texts per side the hypotheses are tried on (default 16), spread over the sample's token lengths. */
  diagnosisTexts?: number;
  seed?: number;
}

export interface AuditInput {
  model: ModelSpec;
  /** What the system says each side gets (resolvePrefixes of its policy). */
  prefixes: Prefixes;
  /** The dataset's passages (a seeded sample is audited) and queries (all are). */
  corpus: Corpus;
  queries: readonly Query[];
  server: ServerVectors;
  /** The local encoder of the same model: the reference. */
  reference: LocalEncoder;
  runs?: RunsToCompare;
  options?: AuditOptions;
  /** Progress lines (stderr in the bench loop). */
  log?: (line: string) => void;
}

export const DEFAULT_AUDIT_PASSAGES = 100;
export const DEFAULT_DIAGNOSIS_TEXTS = 16;
export const DEFAULT_AUDIT_SEED = 42;
/** |norm - 1| above this, for a model that normalises, is "not normalised" (float32 rounding stays near 1e-7). */
export const NORM_TOLERANCE = 1e-3;

/** `n` of the rows 0..size-1, chosen with a seeded PRNG (partial Fisher-Yates), ascending. */
export function sampleRows(size: number, n: number, seed: number): number[] {
  const idx = Array.from({ length: size }, (_, i) => i);
  if (n >= size) return idx;
  const rng = new Prng(seed);
  for (let i = 0; i < n; i++) {
    const j = i + rng.nextInt(size - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n).sort((a, b) => a - b);
}

/** The docs of `rows` (ascending), in one pass over the corpus stream. */
async function readRows(corpus: Corpus, rows: readonly number[]): Promise<Doc[]> {
  const wanted = new Set(rows);
  const out: Doc[] = [];
  let row = 0;
  for await (const doc of corpus.stream()) {
    if (wanted.has(row++)) out.push(doc);
    if (out.length === rows.length) break;
  }
  return out;
}

/**
 * The `m` texts a side's hypotheses are tried on: the half that disagree most with the reference (so a mismatch
 * is never diagnosed on texts that happen to agree), the rest spread evenly over the token lengths, longest
 * first (long texts reveal truncation, short ones padding).
 */
export function diagnosisRows(tokenCounts: readonly number[], cosines: readonly number[], m: number): number[] {
  const all = tokenCounts.map((_, i) => i);
  if (m >= all.length) return all;
  const worst = [...all].sort((a, b) => cosines[a] - cosines[b] || a - b).slice(0, Math.ceil(m / 2));
  const byLength = all.filter((i) => !worst.includes(i)).sort((a, b) => tokenCounts[b] - tokenCounts[a] || a - b);
  const rest = m - worst.length;
  const spread = Array.from({ length: rest }, (_, i) => byLength[Math.round((i * (byLength.length - 1)) / Math.max(1, rest - 1))]);
  return [...new Set([...worst, ...spread])];
}

function checkShape(m: Matrix, rows: number, dim: number, what: string): void {
  if (m.rows !== rows || m.dim !== dim || m.data.length !== rows * dim) {
    throw new UserError(`deployment audit: the server returned ${m.rows} ${what} vectors of dimension ${m.dim}; expected ${rows} of dimension ${dim}`);
  }
}

function runAgreement(r: RunsToCompare): RunAgreement {
  const server = r.server.mean[r.metric];
  const client = r.client.mean[r.metric];
  const overlap = topKOverlap(r.server.run, r.client.run, r.k).meanOverlap;
  return { reference: r.reference, metric: r.metric, server, client, delta: server - client, overlap: Number.isNaN(overlap) ? null : overlap };
}

interface SideData {
  texts: string[];
  server: Matrix;
  reference: Matrix;
  cosines: number[];
  norms: number[];
}

export async function auditDeployment(input: AuditInput): Promise<DeploymentAudit> {
  const { model, prefixes, reference } = input;
  const seed = input.options?.seed ?? DEFAULT_AUDIT_SEED;
  const log = input.log ?? (() => {});
  const docs = await readRows(input.corpus, sampleRows(input.corpus.size, input.options?.passages ?? DEFAULT_AUDIT_PASSAGES, seed));
  const { queries } = input;
  if (docs.length === 0 || queries.length === 0) throw new UserError('deployment audit: needs at least one passage and one query');

  log(`  audit: fetching the server's vectors of ${docs.length} passages and ${queries.length} queries`);
  const serverPassages = await input.server.passages(docs);
  const serverQueries = await input.server.queries(queries);
  checkShape(serverPassages, docs.length, model.dimension, 'passage');
  checkShape(serverQueries, queries.length, model.dimension, 'query');

  log('  audit: encoding them with the reference encoder');
  const side = async (s: Side, texts: string[], server: Matrix): Promise<SideData> => {
    const ref = await encodeAs(reference, configuredSetting(model, prefixes, s), texts);
    return { texts, server, reference: ref, cosines: rowCosines(server, ref), norms: rowNorms(server) };
  };
  const data: Record<Side, SideData> = {
    passages: await side('passages', docs.map((d) => passageText(d, '')), serverPassages),
    queries: await side('queries', queries.map((q) => q.text), serverQueries),
  };

  const unnormalised = (s: Side) => model.normalize && data[s].norms.some((n) => Math.abs(n - 1) > NORM_TOLERANCE);
  const agrees = (s: Side) => Math.min(...data[s].cosines) >= MATCH_COSINE && !unnormalised(s);
  const audit: DeploymentAudit = {
    threshold: MATCH_COSINE,
    reference: { model: model.id, dtype: reference.info.dtype, prefixes: { query: prefixes.query, passage: prefixes.passage } },
    sample: { passages: docs.length, queries: queries.length, seed },
    cosine: { passages: quantiles(data.passages.cosines), queries: quantiles(data.queries.cosines) },
    norm: { passages: quantiles(data.passages.norms), queries: quantiles(data.queries.norms) },
    ...(input.runs ? { runs: runAgreement(input.runs) } : {}),
    verdict: agrees('passages') && agrees('queries') ? 'match' : 'mismatch',
  };
  if (audit.verdict === 'mismatch') {
    log('  audit: the vectors disagree; testing the usual deployment mistakes');
    audit.diagnosis = await diagnose(input, data, unnormalised);
  }
  return audit;
}

async function diagnose(input: AuditInput, data: Record<Side, SideData>, unnormalised: (s: Side) => boolean): Promise<Diagnosis> {
  const { model, prefixes, reference } = input;
  const m = input.options?.diagnosisTexts ?? DEFAULT_DIAGNOSIS_TEXTS;
  const findSide = (s: Side): Promise<SideFinding> => {
    const d = data[s];
    const configured = configuredSetting(model, prefixes, s);
    const rows = diagnosisRows(reference.countTokens(d.texts.map((t) => configured.prefix + t)), d.cosines, m);
    return diagnoseSide({
      reference,
      texts: rows.map((r) => d.texts[r]),
      server: pickRows(d.server, rows),
      configured: { setting: configured, vectors: pickRows(d.reference, rows) },
      stages: candidateStages(model, prefixes, s),
    });
  };
  const sides = { passages: await findSide('passages'), queries: await findSide('queries') };
  const explained = sides.passages.setting !== null && sides.queries.setting !== null;
  const prefix = prefixCause(prefixes, { passage: sides.passages.setting?.prefix ?? null, query: sides.queries.setting?.prefix ?? null });
  const norms = (['passages', 'queries'] as const).filter(unnormalised);
  const causes: Cause[] = [
    ...(prefix ? [prefix] : []),
    ...encoderCauses(model, [sides.passages.setting, sides.queries.setting]),
    ...(norms.length
      ? [{ id: 'not-normalised' as const, text: `not normalised (${norms.map((s) => `${s}: median norm ${quantiles(data[s].norms).median.toFixed(3)}`).join(', ')})` }]
      : []),
  ];
  const match = !explained ? 'none' : sides.passages.match === 'exact' && sides.queries.match === 'exact' ? 'exact' : 'closest';
  const unexplained = (['passages', 'queries'] as const)
    .filter((s) => sides[s].setting === null)
    .map((s) => {
      const [best, next] = sides[s].tried;
      const conf = configuredSetting(model, prefixes, s);
      const score = (t: SettingScore) => `${describeSetting(t.setting, conf)} (min cosine ${t.minCosine.toFixed(5)})`;
      return `${s}: no clear explanation, closest ${score(best)}${next ? `, then ${score(next)}` : ''}`;
    });
  const summary = [
    ...(causes.length ? [causes.map((c) => c.text).join(' + ')] : explained ? ['prefixes and encoder settings as configured'] : []),
    ...unexplained,
    ...(match !== 'exact' ? [`no tested setting reproduces the vectors at cosine ${MATCH_COSINE}: other weights or precision than the reference (e.g. int8, fp16), or another model?`] : []),
  ].join('; ');
  return { match, causes, summary, sides };
}

/**
 * What `beir-bench gate` said about each faster weights file the project builds or pins, measured on the full
 * datasets against fp32 (docs/PERFORMANCE.md, "The gate on full datasets", has the commands and tables). A verdict
 * belongs to one file: it is looked up by the weights' sha256, so a rebuilt or replaced file is "not gated" until
 * someone runs the gate on it. bench and serve warn before numbers from a file that failed or was never gated, report
 * notes name it, `models` and --dtype's help list the verdicts.
 */
import { DEFAULT_BOUNDS, isEquivalent } from './equivalence-rule.js';
import { fmtCi, signed } from './format.js';
import type { Dtype } from '../models/spec.js';

/** The datasets a file must pass, every one, to stand in for fp32 (the article's three). */
export const GATE_DATASETS = ['scifact', 'nfcorpus', 'arguana'] as const;

export interface GateMeasurement {
  dataset: (typeof GATE_DATASETS)[number];
  /** Queries paired (the full test split). */
  queries: number;
  /** NDCG@10 mean difference, candidate - fp32, and its paired bootstrap 95% interval (10,000 resamples, seed 42). */
  meanDiff: number;
  ci95: readonly [number, number];
}

export interface GateRecord {
  model: string;
  dtype: Exclude<Dtype, 'fp32'>;
  /** The candidate file the verdict is about (the fp32 side is the model's pinned onnx/model.onnx). */
  weightsSha256: string;
  /** The system it was judged with: the one the model is reported with. */
  system: 'symmetric' | 'asymmetric';
  measured: string;
  datasets: readonly GateMeasurement[];
}

/** `incomplete`: inside the bounds wherever measured, but not measured on every one of GATE_DATASETS. */
export type GateVerdict = 'pass' | 'fail' | 'incomplete';

export const GATE_RECORD: readonly GateRecord[] = [
  {
    model: 'intfloat/e5-small-v2',
    dtype: 'fused',
    weightsSha256: '42f5aef6475ecaa243b516ba3c7a63555e778175583c82f528582b88e91f8cf7',
    system: 'asymmetric',
    measured: '2026-12-08',
    datasets: [
      { dataset: 'nfcorpus', queries: 323, meanDiff: 0, ci95: [0, 0] },
      { dataset: 'arguana', queries: 1406, meanDiff: 0, ci95: [0, 0] },
    ],
  },
  {
    model: 'intfloat/e5-small-v2',
    dtype: 'int8',
    weightsSha256: '713dd6f4391807937d6c87507975ff4a1382864eff6eb05ba04bdda2ead0fd99',
    system: 'asymmetric',
    measured: '2026-12-07',
    datasets: [{ dataset: 'nfcorpus', queries: 323, meanDiff: -0.0022, ci95: [-0.006, 0.0014] }],
  },
  {
    model: 'sentence-transformers/all-MiniLM-L6-v2',
    dtype: 'fused',
    weightsSha256: '121617eff4181a044cd25ce4589a83acf9987d8e69c745bef2ce7450fa594c11',
    system: 'symmetric',
    measured: '2026-12-08',
    datasets: [
      { dataset: 'scifact', queries: 300, meanDiff: 0, ci95: [0, 0] },
      { dataset: 'nfcorpus', queries: 323, meanDiff: 0, ci95: [0, 0] },
      { dataset: 'arguana', queries: 1406, meanDiff: 0, ci95: [0, 0] },
    ],
  },
  {
    model: 'sentence-transformers/all-MiniLM-L6-v2',
    dtype: 'int8',
    weightsSha256: '5aea8f7e40028a90ce048cdab561c73088dac9f8656b0f4206817e115e00f7ca',
    system: 'symmetric',
    measured: '2026-12-08',
    datasets: [
      { dataset: 'scifact', queries: 300, meanDiff: -0.0012, ci95: [-0.0097, 0.0077] },
      { dataset: 'nfcorpus', queries: 323, meanDiff: -0.0006, ci95: [-0.0048, 0.0037] },
      { dataset: 'arguana', queries: 1406, meanDiff: -0.0002, ci95: [-0.0046, 0.0042] },
    ],
  },
  {
    model: 'intfloat/e5-small-v2',
    dtype: 'q8',
    weightsSha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded',
    system: 'asymmetric',
    measured: '2026-12-01',
    datasets: [
      { dataset: 'scifact', queries: 300, meanDiff: -0.0014, ci95: [-0.0138, 0.011] },
      { dataset: 'nfcorpus', queries: 323, meanDiff: -0.0076, ci95: [-0.0127, -0.0027] },
    ],
  },
];

const failing = (r: GateRecord) => r.datasets.filter((d) => !isEquivalent(d, DEFAULT_BOUNDS));
const unmeasured = (r: GateRecord) => GATE_DATASETS.filter((name) => !r.datasets.some((d) => d.dataset === name));

/** PASS needs every one of GATE_DATASETS measured and inside the gate's default bounds; one outside is a FAIL. */
export function verdictOf(r: GateRecord): GateVerdict {
  if (failing(r).length) return 'fail';
  return unmeasured(r).length ? 'incomplete' : 'pass';
}

/** A verdict in a few words, for tables and --help: `PASS`, `FAIL`, or `PASS on nfcorpus only`. */
export function verdictLabel(r: GateRecord): string {
  const v = verdictOf(r);
  return v === 'incomplete' ? `PASS on ${r.datasets.map((d) => d.dataset).join(', ')} only` : v.toUpperCase();
}

export function gateRecordFor(weightsSha256: string): GateRecord | undefined {
  return GATE_RECORD.find((r) => r.weightsSha256 === weightsSha256);
}

/** Every recorded verdict, by model, for --help: `intfloat/e5-small-v2 int8 FAIL, q8 FAIL; ...`. */
export function gateSummary(): string {
  const models = [...new Set(GATE_RECORD.map((r) => r.model))];
  return models.map((m) => `${m} ${GATE_RECORD.filter((r) => r.model === m).map((r) => `${r.dtype} ${verdictLabel(r)}`).join(', ')}`).join('; ');
}

const measurement = (d: GateMeasurement) => `${d.dataset} Δ NDCG@10 ${signed(d.meanDiff)}, 95% CI ${fmtCi(d.ci95)}`;

/**
 * What to tell a user about to report numbers from `dtype`'s file: nothing for fp32; otherwise the file's verdict and
 * whether its numbers may stand in for fp32's (`warn`: say it even under --quiet).
 */
export function gateNotice(info: { model: string; dtype: Dtype; weightsSha256: string }): { warn: boolean; message: string } | null {
  if (info.dtype === 'fp32') return null;
  const file = `${info.model} --dtype ${info.dtype} (weights ${info.weightsSha256.slice(0, 12)})`;
  const r = gateRecordFor(info.weightsSha256);
  if (!r) {
    return { warn: true, message: `${file} has not been through the equivalence gate: run \`beir-bench gate\` against an fp32 run of each dataset before reporting its numbers` };
  }
  const verdict = verdictOf(r);
  if (verdict === 'pass') {
    return { warn: false, message: `${file} passed the equivalence gate on ${GATE_DATASETS.join(', ')} (${r.system} system): its numbers may stand in for fp32's` };
  }
  if (verdict === 'fail') {
    return { warn: true, message: `${file} failed the equivalence gate against fp32 (${failing(r).map(measurement).join('; ')}): for smoke runs, do not report its numbers in place of fp32's` };
  }
  return { warn: true, message: `${file} passed the equivalence gate on ${r.datasets.map((d) => d.dataset).join(', ')} but was not gated on ${unmeasured(r).join(', ')}: do not report its numbers there` };
}

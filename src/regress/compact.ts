/**
 * The compact matrix layout (docs/REGRESSION.md, "The matrix file"), written into the matrix's own YAML document so
 * comments and hand-written fields stay: each dataset's file digests once under `inputs.datasets`, each system's
 * encoder fingerprint once under `inputs.encoders` (systems recorded with the same one share a group), per entry
 * its `stats`, per condition its `metrics`, `baselineRun` and `strings`.
 * --update and `regress convert` write it; the text is read back before it is returned, so a file that would not
 * say exactly what the records say is never written.
 */
import { dirname, relative, sep } from 'node:path';
import { isMap, YAMLMap, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { UserError } from '../errors.js';
import { displayName } from '../eval/metrics.js';
import type { DatasetInputs, Fingerprint } from './inputs.js';
import { parseMatrix, type Expectation, type RegressionMatrix } from './matrix.js';

/** What a matrix records for one condition (what --update writes). */
export type ConditionRecord = Pick<Expectation, 'metrics' | 'keys' | 'baselineRun' | 'inputs' | 'where'>;

/** What a matrix records for one dataset entry, by position in `datasets:`. */
export interface EntryRecord {
  inputs: DatasetInputs | null;
  /** By system id. */
  expected: Map<string, ConditionRecord>;
}

/** A matrix's records as read (copies: --update changes them without touching the parsed matrix). */
export function recordsOf(matrix: RegressionMatrix): EntryRecord[] {
  return matrix.datasets.map((d) => ({ inputs: d.inputs, expected: new Map(d.expected) }));
}

/** A fingerprint's identity: the same values under the same names, whatever their order. */
const identity = (f: Fingerprint | null | undefined): string => JSON.stringify(f ? Object.entries(f).sort(([a], [b]) => (a < b ? -1 : 1)) : null);

const WHY_ONE = 'the compact layout records it once, so every entry using it must have been recorded from the same one';
const FIX = 'update them together: regress --update without --tag';

/** `inputs.datasets`: per dataset the union of its entries' file digests; two entries that disagree cannot share it. */
function recordedDatasets(matrix: RegressionMatrix, records: readonly EntryRecord[]) {
  const out = new Map<string, { content: Fingerprint; files: Fingerprint; from: Map<string, string> }>();
  for (const [i, r] of records.entries()) {
    if (!r.inputs) continue;
    const entry = matrix.datasets[i];
    const where = r.inputs.where ?? entry.where;
    if (!r.inputs.content) throw new UserError(`${where}: the recorded inputs have no content digests (recorded by an older beir-bench): run regress --update to record them`);
    const d = out.get(entry.dataset) ?? { content: {}, files: {}, from: new Map<string, string>() };
    out.set(entry.dataset, d);
    for (const group of ['content', 'files'] as const) {
      for (const [file, value] of Object.entries(r.inputs[group] ?? {})) {
        const key = `${group}.${file}`;
        if (d[group][file] !== undefined && d[group][file] !== value) {
          throw new UserError(`${d.from.get(key)} and ${where} record different ${key} of ${entry.dataset}: ${WHY_ONE}; ${FIX}`);
        }
        d[group][file] = value;
        if (!d.from.has(key)) d.from.set(key, where);
      }
    }
  }
  return out;
}

/** `inputs.encoders`: each system's encoder, systems with the same fingerprint in one group (in `systems:` order). */
function recordedEncoders(matrix: RegressionMatrix, records: readonly EntryRecord[]) {
  const bySystem = new Map<string, { encoder: Fingerprint; where: string }>();
  for (const r of records) {
    for (const [id, c] of r.expected) {
      const encoder = c.inputs?.encoder;
      if (!encoder) continue;
      const seen = bySystem.get(id);
      if (seen && identity(seen.encoder) !== identity(encoder)) {
        throw new UserError(`${seen.where} and ${c.where} record different encoders for system ${id}: ${WHY_ONE}; ${FIX}`);
      }
      if (!seen) bySystem.set(id, { encoder, where: c.where });
    }
  }
  const groups = new Map<string, { systems: string[]; encoder: Fingerprint }>();
  for (const s of matrix.systems) {
    const e = bySystem.get(s.id);
    if (!e) continue;
    const key = identity(e.encoder);
    const group = groups.get(key) ?? { systems: [], encoder: e.encoder };
    groups.set(key, group);
    group.systems.push(s.id);
  }
  return [...groups.values()];
}

/** Set `key` in a mapping: in place when there, else before the first of `before` present, else at the end. */
function setKey(doc: Document, map: YAMLMap, key: string, value: unknown, opts: { flow?: boolean; before?: readonly string[] } = {}): Pair<Scalar, Node> {
  // Flow style for one-line values (metrics, strings, stats): `{NDCG@10: 0.6797, MAP@10: 0.6313}`.
  const node = doc.createNode(value, { flow: opts.flow ?? false }) as Node;
  const pairs = map.items as Pair<Scalar, Node>[];
  const at = pairs.find((p) => p.key?.value === key);
  if (at) {
    at.value = node;
    return at;
  }
  const created = doc.createPair(key, node) as Pair<Scalar, Node>;
  const index = pairs.findIndex((p) => (opts.before ?? []).includes(String(p.key?.value)));
  pairs.splice(index < 0 ? pairs.length : index, 0, created);
  return created;
}

function mapAt(doc: Document, map: YAMLMap, key: string): YAMLMap {
  const found = map.get(key, true);
  if (isMap(found)) return found;
  return setKey(doc, map, key, {}).value as YAMLMap;
}

/** A stored path as written in the matrix: relative to its folder, with forward slashes. */
const refFrom = (target: string, path: string) => relative(dirname(target), path).split(sep).join('/');

/**
 * Write `records` into the matrix's document in the compact layout, for the matrix file `target` (baseline-run
 * paths are written relative to it), and return the text. Throws a UserError when two records that the layout
 * keeps once disagree (nothing is written then).
 */
export function compactText(matrix: RegressionMatrix, records: readonly EntryRecord[], target: string): string {
  const doc = matrix.yaml.doc;
  const root = doc.contents as YAMLMap;
  const datasets = recordedDatasets(matrix, records);
  const encoders = recordedEncoders(matrix, records);
  const top: Record<string, unknown> = {};
  if (datasets.size > 0) {
    top.datasets = Object.fromEntries([...datasets].map(([name, d]) => [name, { content: d.content, ...(Object.keys(d.files).length ? { files: d.files } : {}) }]));
  }
  if (encoders.length > 0) top.encoders = encoders;
  if (Object.keys(top).length === 0) root.delete('inputs');
  else {
    const isNew = !root.has('inputs');
    const pair = setKey(doc, root, 'inputs', top, { before: ['datasets'] });
    const groups = (pair.value as YAMLMap).get('encoders', true) as { items: YAMLMap[] } | undefined;
    for (const group of groups?.items ?? []) (group.get('systems', true) as unknown as { flow: boolean }).flow = true;
    if (isNew) {
      pair.key.commentBefore =
        ' Recorded by regress --update, compared on every run: per dataset its files (content digests; byte sha256 as\n' +
        ' information), per system its encoder (weights and the settings that decide a vector).';
    }
  }

  for (const [i, r] of records.entries()) {
    const item = doc.getIn(['datasets', i], true) as YAMLMap;
    if (r.inputs) setKey(doc, item, 'stats', r.inputs.stats, { flow: true, before: ['inputs', 'expected'] });
    else item.delete('stats');
    item.delete('inputs');
    if (r.expected.size === 0) continue;
    const expected = mapAt(doc, item, 'expected');
    for (const [id, c] of r.expected) {
      const cond = mapAt(doc, expected, id);
      const metrics = [...c.metrics].map(([m, v]) => [c.keys.get(m) ?? displayName(m), v]);
      setKey(doc, cond, 'metrics', Object.fromEntries(metrics), { flow: true });
      if (c.baselineRun) setKey(doc, cond, 'baselineRun', refFrom(target, c.baselineRun.path));
      cond.delete('inputs');
      if (c.inputs?.strings) setKey(doc, cond, 'strings', c.inputs.strings, { flow: true });
      else cond.delete('strings');
    }
  }
  const text = doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
  const mismatch = firstDifference(records, parseMatrix(text, target));
  if (mismatch) throw new Error(`compactText: the compact form of ${matrix.file} would not record what it records (${mismatch})`);
  return text;
}

/** What a record says, in a form two reads can be compared by (places and spellings left out). */
function said(c: ConditionRecord) {
  return { metrics: [...c.metrics], baselineRun: c.baselineRun?.path, encoder: identity(c.inputs?.encoder), strings: identity(c.inputs?.strings) };
}
const saidInputs = (d: DatasetInputs | null) => (d ? { content: identity(d.content), files: identity(d.files), stats: identity(d.stats) } : null);

/** The first place where `matrix` (read back) does not say what `records` say, or null. */
function firstDifference(records: readonly EntryRecord[], matrix: RegressionMatrix): string | null {
  for (const [i, r] of records.entries()) {
    const entry = matrix.datasets[i];
    if (JSON.stringify(saidInputs(r.inputs)) !== JSON.stringify(saidInputs(entry.inputs))) return `${entry.where}: inputs`;
    if (r.expected.size !== entry.expected.size) return `${entry.where}: expected`;
    for (const [id, c] of r.expected) {
      const read = entry.expected.get(id);
      if (!read || JSON.stringify(said(c)) !== JSON.stringify(said(read))) return `${entry.where}: expected.${id}`;
    }
  }
  return null;
}

/**
 * Which systems a run compares: by default every system against the first (the article's "Asymmetric vs
 * Symmetric"); a systems file may name the pairs instead (`comparisons: ["B vs A", ...]`, docs/SYSTEMS.md), so one
 * run holds several experiments, e.g. each model's asymmetric use against its own symmetric use.
 */
import { UserError } from '../errors.js';
import type { Field } from '../yaml-field.js';
import type { SystemSpec } from './system.js';

/** System ids: `system` is compared with `baseline` (the change is system minus baseline). */
export interface ComparisonPair {
  system: string;
  baseline: string;
}

/** A pair as written in a systems file, before the systems have their final ids. */
export interface ComparisonRef extends ComparisonPair {
  /** `file:line: comparisons[i]`, for errors. */
  where: string;
}

const FORM = /^\s*(\S+)\s+vs\.?\s+(\S+)\s*$/;

/** `"e5-small-v2.asymmetric vs e5-small-v2.symmetric"` -> the pair; null when the text is not of that form. */
export function parseComparison(text: string): ComparisonPair | null {
  const m = FORM.exec(text);
  return m ? { system: m[1], baseline: m[2] } : null;
}

/** Every system against the first. */
export const againstFirst = (systems: readonly SystemSpec[]): ComparisonPair[] => systems.slice(1).map((s) => ({ system: s.id, baseline: systems[0].id }));

/** The written pairs checked against the run's systems: known ids, two different systems, no pair twice. */
export function resolveComparisons(refs: readonly ComparisonRef[], systems: readonly SystemSpec[]): ComparisonPair[] {
  const ids = systems.map((s) => s.id);
  const seen = new Set<string>();
  return refs.map((r) => {
    for (const id of [r.system, r.baseline]) {
      if (!ids.includes(id)) throw new UserError(`${r.where}: unknown system "${id}"; the systems are ${ids.join(', ')}`);
    }
    if (r.system === r.baseline) throw new UserError(`${r.where}: compares "${r.system}" with itself`);
    const key = `${r.system}\u0000${r.baseline}`;
    if (seen.has(key)) throw new UserError(`${r.where}: "${r.system} vs ${r.baseline}" is listed twice`);
    seen.add(key);
    return { system: r.system, baseline: r.baseline };
  });
}

/** A YAML list of "SYSTEM vs BASELINE" strings (a systems file's or an imported table's `comparisons:`). */
export function comparisonRefs(f: Field): ComparisonRef[] {
  const items = f.items();
  if (items.length === 0) throw f.error('the list is empty (leave it out to compare every system against the first)');
  return items.map((item) => {
    const pair = parseComparison(item.string());
    if (!pair) throw item.error(`expected "SYSTEM vs BASELINE" (system ids, e.g. "e5-small-v2.asymmetric vs e5-small-v2.symmetric"), got ${JSON.stringify(item.string())}`);
    return { ...pair, where: `${item.where}: ${item.path}` };
  });
}

/**
 * `--only`: the named systems of a systems file, in the file's order, with the file's pairs between them (a pair
 * losing a side is dropped, never re-based onto another system). Without named pairs, the first kept system is the
 * baseline, as in any run.
 */
export function selectSystems(
  systems: readonly SystemSpec[],
  comparisons: readonly ComparisonPair[] | undefined,
  only: readonly string[],
  where: string,
): { systems: SystemSpec[]; comparisons?: ComparisonPair[] } {
  const ids = systems.map((s) => s.id);
  const unknown = only.filter((id) => !ids.includes(id));
  if (unknown.length) throw new UserError(`${where}: no system "${unknown.join('", "')}"; the systems are ${ids.join(', ')}`);
  const kept = systems.filter((s) => only.includes(s.id));
  if (!comparisons) return { systems: kept };
  return { systems: kept, comparisons: comparisons.filter((p) => only.includes(p.system) && only.includes(p.baseline)) };
}

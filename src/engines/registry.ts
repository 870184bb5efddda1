/**
 * Every engine, one definition each (src/engines/engine.ts). Adding an engine: its definition file and its line in
 * ENGINES; the id unions are derived from that list (docs/ARCHITECTURE.md, "A new engine").
 */
import type { Argv } from 'yargs';
import { UserError } from '../errors.js';
import type { DenseEngineDefinition, EngineDefinition, EngineFamily, EngineOptions, FamilyOptions, HybridEngineDefinition, LexicalEngineDefinition } from './engine.js';
import { BM25, EXACT, FUSION } from './embedded.js';
import { OPENSEARCH_BM25, OPENSEARCH_HYBRID, OPENSEARCH_KNN } from './opensearch.js';
import { OPENSEARCH_ML } from './opensearch-ml.js';
import { LANCEDB } from './lancedb.js';

/** Every engine: adding one is its definition file and its line here. */
const ENGINES = [EXACT, BM25, FUSION, OPENSEARCH_KNN, OPENSEARCH_BM25, OPENSEARCH_HYBRID, OPENSEARCH_ML, LANCEDB] as const;

type Listed = (typeof ENGINES)[number];
/** Engines that search vectors (`opensearch-ml` embeds on the server). */
export type DenseEngine = Extract<Listed, { kind: 'dense' }>['id'];
/** Engines that match text. */
export type LexicalEngine = Extract<Listed, { kind: 'lexical' }>['id'];
/** How a hybrid system's runs are fused: in process (`fusion`) or by the engine in one query. */
export type HybridEngine = Extract<Listed, { kind: 'hybrid' }>['id'];
export type EngineId = Listed['id'];
/** An engine's definition by its id. */
export type DefinitionOf<K extends EngineId> = K extends DenseEngine
  ? DenseEngineDefinition<K>
  : K extends LexicalEngine
    ? LexicalEngineDefinition<K>
    : HybridEngineDefinition<K>;
/** Engine settings as results.json records them (credentials removed), by options key (e.g. `opensearch`). */
export type EngineOptionsRecord = Record<string, Record<string, unknown>>;

const ALL: readonly EngineDefinition[] = ENGINES;
const BY_ID = new Map<string, EngineDefinition>(ALL.map((d) => [d.id, d]));

export function engineOf<K extends EngineId>(id: K): DefinitionOf<K> {
  const d = BY_ID.get(id);
  // results.json read from disk, or a systems file, can name an engine this build does not have.
  if (!d) throw new UserError(`unknown engine "${id}": known engines are ${[...BY_ID.keys()].join(', ')}`);
  return d as DefinitionOf<K>;
}

const idsOf = <K extends EngineDefinition['kind']>(kind: K) => ALL.filter((d) => d.kind === kind).map((d) => d.id);
export const DENSE_ENGINES = idsOf('dense') as DenseEngine[];
export const LEXICAL_ENGINES = idsOf('lexical') as LexicalEngine[];
export const HYBRID_ENGINES = idsOf('hybrid') as HybridEngine[];

/** A `--backend` value: the engines --arms systems (and systems-file entries that name none) run on. */
export interface BackendChoice {
  name: string;
  dense: DenseEngine;
  lexical: LexicalEngine;
  hybrid: HybridEngine;
  help: string;
}

export const BACKENDS: readonly BackendChoice[] = ALL.flatMap((d) =>
  d.kind === 'dense' && d.backend ? [{ name: d.backend.name, dense: d.id as DenseEngine, lexical: d.backend.lexical, hybrid: d.backend.hybrid, help: d.backend.help }] : [],
);
export const BACKEND_NAMES = BACKENDS.map((b) => b.name);
export const DEFAULT_BACKEND = 'embedded';

export function backendChoice(name: string): BackendChoice {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new UserError(`unknown backend "${name}": use one of ${BACKEND_NAMES.join(', ')}`);
  return b;
}

/** What the registry needs of a system (src/systems/system.ts SystemSpec): its engine and a hybrid's components. */
type RunsOnEngines = { engine: EngineId } & ({ kind: 'hybrid'; components: readonly RunsOnEngines[] } | { kind: 'dense' | 'lexical' });

/** The engines a system runs on: its own and, for a hybrid, its components'. */
export function enginesOf(system: RunsOnEngines): EngineDefinition[] {
  return system.kind === 'hybrid' ? [engineOf(system.engine), ...system.components.flatMap(enginesOf)] : [engineOf(system.engine)];
}

/** The families (connections) the systems need. */
export function familiesOf(systems: readonly RunsOnEngines[]): EngineFamily<unknown>[] {
  return [...new Set(systems.flatMap(enginesOf).flatMap((d) => (d.family ? [d.family] : [])))];
}

/** npm packages whose versions decide engines' scores, each once (results.json environment.packages). */
export const ENGINE_PACKAGES: readonly string[] = [...new Set(ALL.flatMap((d) => d.family?.packages ?? []))];

/** Every family's option set once (opensearch and opensearch-ml share one). */
const OPTION_SETS: readonly FamilyOptions<unknown>[] = [...new Set(ALL.flatMap((d) => (d.family?.options ? [d.family.options] : [])))];

/** The keys engine settings are recorded under in results.json's config (schema/results.schema.json lists them). */
export const ENGINE_OPTION_KEYS: readonly string[] = OPTION_SETS.map((o) => o.key);

/** Every engine's `bench` options. */
export function withEngineOptions<T>(y: Argv<T>): Argv<T> {
  return OPTION_SETS.reduce((acc, o) => o.withOptions(acc), y);
}

/** Every engine's options under its --help group. */
export function groupEngineOptions<T>(y: Argv<T>): Argv<T> {
  return OPTION_SETS.reduce((acc, o) => acc.group([...o.group.options], o.group.title), y);
}

/** The settings of the families the systems use, parsed from the command line. */
export function engineOptionsFrom(args: Record<string, unknown>, systems: readonly RunsOnEngines[]): EngineOptions {
  const sets = new Set(familiesOf(systems).flatMap((f) => (f.options ? [f.options] : [])));
  return Object.fromEntries([...sets].map((o) => [o.key, o.from(args)]));
}

/** Every family's settings, for commands whose systems are known only later (regress: engineOptionsForEntry picks). */
export function allEngineOptionsFrom(args: Record<string, unknown>): EngineOptions {
  return Object.fromEntries(OPTION_SETS.map((o) => [o.key, o.from(args)]));
}

const optionSet = (key: string): FamilyOptions<unknown> => {
  const o = OPTION_SETS.find((x) => x.key === key);
  if (!o) throw new Error(`no engine takes options "${key}"`);
  return o;
};

/** The settings as results.json records them, one field per options key (credentials removed). */
export function recordEngineOptions(options: EngineOptions): EngineOptionsRecord {
  return Object.fromEntries(Object.entries(options).map(([key, o]) => [key, optionSet(key).record(o)]));
}

/** The settings one regression-matrix entry runs with (src/regress/run-matrix.ts). */
export function engineOptionsForEntry(options: EngineOptions, entry: string, systems: readonly RunsOnEngines[]): EngineOptions {
  const used = new Set<string>(familiesOf(systems).flatMap((f) => (f.options ? [f.options.key] : [])));
  return Object.fromEntries(
    Object.entries(options)
      .filter(([key]) => used.has(key))
      .map(([key, o]) => {
        const set = optionSet(key);
        return [key, set.forEntry ? set.forEntry(o, entry) : o];
      }),
  );
}

/**
 * What an engine is to the rest of the harness: one definition per engine (src/engines/registry.ts lists them).
 * Systems, resources, the CLI, results and reports read these facts instead of naming engines.
 */
import type { Argv } from 'yargs';
import type { DeploymentAudit } from '../audit/audit-result.js';
import type { SearchBackend } from '../backends/backend.js';
import type { ServerSideAuditInput } from '../audit/server-side.js';
import type { LoadedDataset } from '../datasets/loaders.js';
import type { MemoryBudget } from '../memory-budget.js';
import type { DenseEngine, EngineId, HybridEngine, LexicalEngine } from './registry.js';

/** Each family's settings, by its options key (e.g. `opensearch`): what BenchConfig carries and results.json records. */
export type EngineOptions = Readonly<Record<string, unknown>>;

/** A family's command-line and systems-file settings, and how they are parsed and recorded. */
export interface FamilyOptions<O> {
  /** Key in BenchConfig.engineOptions and in results.json's config (one key may serve several families). */
  key: string;
  /** The `bench` options (yargs), with --help text. */
  withOptions<T>(y: Argv<T>): Argv<T>;
  /** The --help group the options are listed under. */
  group: { title: string; options: readonly string[] };
  /** The settings from parsed arguments. */
  from(args: Record<string, unknown>): O;
  /** The settings as results.json records them (never credentials). */
  record(options: O): Record<string, unknown>;
  /**
   * The settings for one entry of a regression matrix, so entries never share indexes (a slice and the full
   * corpus of a dataset have the same system ids). Absent: the same settings for every entry.
   */
  forEntry?(options: O, entry: string): O;
}

/** What opening a family's connection gets. */
export interface OpenContext<O> {
  /** The family's settings; undefined when none were parsed (a family that needs them refuses). */
  options: O | undefined;
  memory: MemoryBudget;
  quiet: boolean;
}

/** A connection engines share: one is opened per run on first use and closed at the end of it. */
export interface EngineFamily<O = unknown> {
  id: string;
  options?: FamilyOptions<O>;
  /** npm packages whose versions decide its scores (results.json environment.packages). */
  packages?: readonly string[];
  open(ctx: OpenContext<O>): Promise<SearchBackend>;
}

/**
 * What the deployment audit of a server-embedding engine gets from the bench loop (src/audit/): the audit's own
 * input, with what retrieval recorded as the system's engine (results.json `engine`) and the engines' settings
 * in place of the engine-specific fields the hook takes from them.
 */
export type AuditInput = Omit<ServerSideAuditInput, 'ml' | 'opensearch' | 'log'> & {
  engineRecord: Record<string, unknown>;
  engineOptions: EngineOptions;
  log: (line: string) => void;
};

interface EngineBase<Id extends string> {
  id: Id;
  /** The connection that serves it; absent = computed in process from other runs (fusion). */
  family?: EngineFamily<any>;
  /** Whether search is approximate (HNSW, quantised candidates) rather than exhaustive. */
  approximate: boolean;
  /**
   * Whether, given the same data and vectors, it returns the same run bit for bit every time, a fresh index
   * included (docs/REGRESSION.md, "Which conditions are deterministic"). The comment on each definition says why.
   */
  deterministic: boolean;
  /** How a report tells two same-label columns apart by engine, e.g. `OpenSearch HNSW`. */
  words: string;
  /**
   * The in-process engine that computes this engine's result exactly over the same inputs: an approximate
   * engine's run is measured against it (run-bench.ts, "approximation"); absent when there is none.
   */
  exactTwin?: EngineId;
}

export interface DenseEngineDefinition<Id extends string = string> extends EngineBase<Id> {
  kind: 'dense';
  /** `client`: the harness embeds and sends vectors; `server`: the engine embeds the texts itself. */
  embeds: 'client' | 'server';
  /**
   * The `--backend` value that makes this the engine of dense systems, and the lexical and hybrid engines that
   * go with it; absent = reachable only by naming it in a systems file.
   */
  backend?: { name: string; lexical: LexicalEngine; hybrid: HybridEngine; help: string };
  /** Refuse, before any encoding, a dataset its index cannot fit in the memory budget. */
  checkMemory?(memory: MemoryBudget, ds: LoadedDataset, dimension: number): void;
  /** Server-embedding engines: the deployment audit (vectors and runs against the local encoder's). */
  audit?(input: AuditInput): Promise<DeploymentAudit>;
}

export interface LexicalEngineDefinition<Id extends string = string> extends EngineBase<Id> {
  kind: 'lexical';
  /** What a report says the column is, e.g. `OpenSearch BM25 over title + text`. */
  description: string;
  checkMemory?(memory: MemoryBudget, ds: LoadedDataset): void;
  /** Advice printed before indexing a corpus of this size (null: none). */
  sizeAdvice?(docs: number): string | null;
}

export interface HybridEngineDefinition<Id extends string = string> extends EngineBase<Id> {
  kind: 'hybrid';
  /** What a report says fuses the runs, e.g. `OpenSearch hybrid query (search pipeline)`. */
  description: string;
  /** `harness`: fused in process from the component runs; `engine`: one query the engine fuses (needs a dense component). */
  fusedBy: 'harness' | 'engine';
  /** Appended to default ids (`.opensearch`) and labels (` OpenSearch`) of hybrids it fuses. */
  tag?: { id: string; label: string };
  /** Engine-fused: the engines its components run on (one index serves both sub-queries). */
  componentEngines?: { dense: DenseEngine; lexical: LexicalEngine };
}

export type EngineDefinition = DenseEngineDefinition | LexicalEngineDefinition | HybridEngineDefinition;


/**
 * What a system's engines make of it (src/engines/ definitions): hybrid ids and labels tagged by the fusing engine,
 * the exact twin an approximate system is measured against, whether its runs are deterministic. Kept apart from
 * system.ts, the systems' vocabulary, which reads engine ids as types only.
 */
import { engineOf, type DenseEngine, type HybridEngine, type LexicalEngine } from '../engines/registry.js';
import { DEFAULT_RANK_CONSTANT, type FusionSpec } from '../fusion/fuse.js';
import { DEFAULT_FUSION_DEPTH, type ComponentSystem, type DenseSystem, type HybridSystem, type SystemSpec } from './system.js';

/** A hybrid's fusion in a few words for labels: `RRF`, `Linear 0.3/0.7`, `Linear l2 harmonic 0.3/0.7`. */
function fusionWord(fusion: FusionSpec): string {
  if (fusion.method === 'rrf') return fusion.rankConstant === DEFAULT_RANK_CONSTANT ? 'RRF' : `RRF k=${fusion.rankConstant}`;
  const extra = [fusion.normalization === 'min-max' ? '' : fusion.normalization, fusion.combination === 'arithmetic' ? '' : fusion.combination];
  return ['Linear', ...extra.filter(Boolean), fusion.weights.join('/')].join(' ');
}

/** A hybrid's fusion for ids: `rrf`, `linear-0.3-0.7`, `linear-l2-harmonic-0.3-0.7`, with `-d50` for other depths. */
function fusionTag(fusion: FusionSpec, depths: readonly number[]): string {
  const base =
    fusion.method === 'rrf'
      ? `rrf${fusion.rankConstant === DEFAULT_RANK_CONSTANT ? '' : `-k${fusion.rankConstant}`}`
      : ['linear', fusion.normalization === 'min-max' ? '' : fusion.normalization, fusion.combination === 'arithmetic' ? '' : fusion.combination, ...fusion.weights]
          .filter((x) => x !== '')
          .join('-');
  const depth = depths.every((d) => d === DEFAULT_FUSION_DEPTH) ? '' : `-d${new Set(depths).size === 1 ? depths[0] : depths.join('_')}`;
  return `${base}${depth}`;
}

/** `RRF (BM25 + Asymmetric)`, `Linear 0.3/0.7 (BM25 + Asymmetric) OpenSearch`, from the components' labels. */
export function hybridLabel(system: Pick<HybridSystem, 'fusion' | 'engine'>, componentLabels: readonly string[]): string {
  const tag = engineOf(system.engine).tag;
  return `${fusionWord(system.fusion)} (${componentLabels.join(' + ')})${tag ? ` ${tag.label}` : ''}`;
}

/** `bm25+e5-small-v2.asymmetric.rrf`, `....linear-0.3-0.7`, `.opensearch` appended when the cluster fuses. */
export function hybridId(system: Pick<HybridSystem, 'fusion' | 'engine' | 'depths'>, componentIds: readonly string[]): string {
  const tag = engineOf(system.engine).tag;
  return `${componentIds.join('+')}.${fusionTag(system.fusion, system.depths)}${tag ? `.${tag.id}` : ''}`;
}

/** The in-process engine that computes an engine's result exactly (itself when it already does). */
const exactEngineOf = <K extends DenseEngine | LexicalEngine>(engine: K): K => (engineOf(engine).exactTwin as K | undefined) ?? engine;

/** The same system searched exactly: the reference an approximate engine is measured against (its engine's exactTwin). */
export function exactTwin(system: DenseSystem): DenseSystem;
export function exactTwin(system: HybridSystem): HybridSystem;
export function exactTwin(system: DenseSystem | HybridSystem): DenseSystem | HybridSystem;
export function exactTwin(system: DenseSystem | HybridSystem): DenseSystem | HybridSystem {
  const twin = engineOf(system.engine).exactTwin;
  if (!twin) throw new Error(`engine ${system.engine} has no exact twin`);
  if (system.kind === 'dense') return { ...system, id: `${system.id}.exact`, label: `${system.label} (exact)`, engine: twin as DenseEngine };
  const components = system.components.map(
    (c): ComponentSystem =>
      c.kind === 'dense'
        ? { ...c, engine: exactEngineOf(c.engine) }
        : { ...c, id: c.id === c.engine ? exactEngineOf(c.engine) : `${c.id}.embedded`, engine: exactEngineOf(c.engine) },
  );
  return { ...system, components, id: `${system.id}.embedded`, label: `${system.label} (embedded)`, engine: twin as HybridEngine };
}

/** Systems measured against an exact twin: approximate engines that have one (HNSW search, the cluster's hybrid query). */
export const isApproximate = (system: SystemSpec): system is DenseSystem | HybridSystem => {
  if (system.kind === 'lexical') return false;
  const d = engineOf(system.engine);
  return d.approximate && d.exactTwin !== undefined;
};

/**
 * Whether a system reproduces its run bit for bit from the same inputs (its engines' `deterministic`, which the
 * regression verdicts rest on). Vectors must come from the local encoder (through the embedding cache): a remote
 * endpoint may return other floats for the same text.
 */
export const isDeterministic = (system: SystemSpec): boolean => {
  if (system.kind === 'hybrid') return engineOf(system.engine).deterministic && system.components.every(isDeterministic);
  if (system.kind === 'dense' && system.encoder.kind !== 'local') return false;
  return engineOf(system.engine).deterministic;
};

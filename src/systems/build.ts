/**
 * Turn system drafts (from --arms or a systems file) into the run's systems: default ids and labels, repeats
 * dropped, ids made unique.
 */
import { UserError } from '../errors.js';
import { defaultId, defaultLabel, type ComponentSystem, type DenseSystem, type HybridSystem, type LexicalSystem, type SystemSpec } from './system.js';
import { hybridId, hybridLabel } from './system-engines.js';

type Naming = { id?: string; label?: string };
/** A dense or lexical system before naming: id and label optional. */
export type ComponentDraft = (Omit<DenseSystem, 'id' | 'label'> | Omit<LexicalSystem, 'id' | 'label'>) & Naming;
/** A hybrid before naming: its components are drafts too. */
export type HybridDraft = Omit<HybridSystem, 'id' | 'label' | 'components'> & Naming & { components: ComponentDraft[] };
export type SystemDraft = ComponentDraft | HybridDraft;

const ID_FORM = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

/** What makes two systems the same experiment (ids and labels aside). */
function identity(d: SystemDraft): unknown {
  if (d.kind === 'hybrid') return [d.kind, d.components.map(identity), d.depths, d.fusion, d.engine];
  return d.kind === 'dense' ? [d.kind, d.model, d.prefix, d.encoder, d.engine] : [d.kind, d.engine];
}

function checkId(id: string | undefined): void {
  if (id !== undefined && !ID_FORM.test(id)) {
    throw new UserError(`system id "${id}" must start with a letter or digit and use only letters, digits and + . _ - (it names files)`);
  }
}

/** A component's id and label: its own when given, else the defaults (they name its index and its part of the hybrid's label). */
function nameComponent(d: ComponentDraft, singleModel: boolean): ComponentSystem {
  checkId(d.id);
  return { ...d, id: d.id ?? defaultId(d), label: d.label ?? defaultLabel(d, singleModel) } as ComponentSystem;
}

function withDefaults(d: SystemDraft, singleModel: boolean): SystemSpec {
  if (d.kind !== 'hybrid') return nameComponent(d, singleModel);
  const components = d.components.map((c) => nameComponent(c, singleModel));
  return {
    ...d,
    components,
    id: d.id ?? hybridId(d, components.map((c) => c.id)),
    label: d.label ?? hybridLabel(d, components.map((c) => c.label)),
  };
}

export function buildSystems(drafts: readonly SystemDraft[]): SystemSpec[] {
  if (drafts.length === 0) throw new UserError('no systems to run');
  const seen = new Set<string>();
  const unique = drafts.filter((d) => {
    const key = JSON.stringify(identity(d));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const models = new Set(unique.flatMap((d) => (d.kind === 'hybrid' ? d.components : [d]).flatMap((c) => (c.kind === 'dense' ? [c.model.id] : []))));
  const ids = new Set<string>();
  return unique.map((d) => {
    checkId(d.id);
    const named = withDefaults(d, models.size <= 1);
    let id = named.id;
    if (ids.has(id)) {
      if (d.id !== undefined) throw new UserError(`two systems have the id "${id}": ids must be unique`);
      let n = 2;
      while (ids.has(`${id}-${n}`)) n++;
      id = `${id}-${n}`;
    }
    ids.add(id);
    return { ...named, id };
  });
}

/**
 * Turn system drafts (from --arms or a systems file) into the run's systems: default ids and labels, repeats
 * dropped, ids made unique.
 */
import { UserError } from '../errors.js';
import { defaultId, defaultLabel, type DenseSystem, type LexicalSystem, type SystemSpec } from './system.js';

/** A system before naming: id and label optional. */
export type SystemDraft = (Omit<DenseSystem, 'id' | 'label'> | Omit<LexicalSystem, 'id' | 'label'>) & { id?: string; label?: string };

const ID_FORM = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

/** What makes two systems the same experiment (ids and labels aside). */
const identity = (d: SystemDraft) => JSON.stringify(d.kind === 'dense' ? [d.kind, d.model, d.prefix, d.encoder, d.engine] : [d.kind, d.engine]);

export function buildSystems(drafts: readonly SystemDraft[]): SystemSpec[] {
  if (drafts.length === 0) throw new UserError('no systems to run');
  const seen = new Set<string>();
  const unique = drafts.filter((d) => {
    const key = identity(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const models = new Set(unique.flatMap((d) => (d.kind === 'dense' ? [d.model.id] : [])));
  const ids = new Set<string>();
  return unique.map((d) => {
    if (d.id !== undefined && !ID_FORM.test(d.id)) {
      throw new UserError(`system id "${d.id}" must start with a letter or digit and use only letters, digits and + . _ - (it names files)`);
    }
    let id = d.id ?? defaultId(d);
    if (ids.has(id)) {
      if (d.id !== undefined) throw new UserError(`two systems have the id "${id}": ids must be unique`);
      let n = 2;
      while (ids.has(`${id}-${n}`)) n++;
      id = `${id}-${n}`;
    }
    ids.add(id);
    return { ...d, id, label: d.label ?? defaultLabel(d, models.size <= 1) } as SystemSpec;
  });
}

import { UserError } from '../errors.js';
import type { Doc, Query } from '../types.js';
import type { ArmName, ArmPrefixes, ModelSpec } from './spec.js';

export const ARM_NAMES: readonly ArmName[] = ['asymmetric', 'symmetric', 'symmetric-query', 'bm25'];

/** Which prefix each side gets under an arm: the experiment's independent variable. */
export function armPrefixes(model: ModelSpec, arm: ArmName): ArmPrefixes {
  switch (arm) {
    case 'asymmetric':
      return { query: model.queryPrefix, passage: model.passagePrefix };
    case 'symmetric':
    case 'bm25': // lexical: text is matched as written
      return { query: '', passage: '' };
    case 'symmetric-query':
      return { query: model.queryPrefix, passage: model.queryPrefix };
  }
}

/** BEIR passages are title + text; an empty title leaves no stray space. */
export function passageText(doc: Doc, prefix: string): string {
  return prefix + `${doc.title} ${doc.text}`.trim();
}

export function queryText(q: Query, prefix: string): string {
  return prefix + q.text;
}

/** Parse a comma-separated arm list, e.g. "asymmetric,symmetric". Duplicates are dropped, order kept. */
export function parseArms(s: string): ArmName[] {
  const names = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (names.length === 0) throw new UserError(`No arms given. Valid arms: ${ARM_NAMES.join(', ')}`);
  const unknown = names.filter((n) => !(ARM_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UserError(`Unknown arm(s): ${unknown.join(', ')}. Valid arms: ${ARM_NAMES.join(', ')}`);
  }
  return [...new Set(names)] as ArmName[];
}

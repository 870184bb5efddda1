/**
 * Which records a slice (`--max-queries`, `--max-docs`) keeps. Records are ranked by a seeded hash of their id,
 * never by their position in a file, so a file rebuilt in another order (the official NFCorpus zip against a
 * copy sorted by `_id`) gives the same slice. docs/DATASETS.md ("Smoke runs") states the rule.
 */
import { createHash } from 'node:crypto';
import { compareUtf8 } from '../ranking.js';
import { readCorpus } from './corpus-file.js';

/** Part of every slice key: changing it would pick other records, so it is versioned, never edited. */
export const SLICE_SEED = 'beir-bench slice v1';

/** An id's rank in slice order: sha256 of the seed, a NUL and the id's UTF-8 bytes, as lowercase hex. */
export function sliceKey(id: string): string {
  return createHash('sha256').update(`${SLICE_SEED}\0${id}`).digest('hex');
}

/** Slice order: key ascending, then id (UTF-8 bytes) for the tie no sha256 will ever produce. */
function before(a: Ranked, b: Ranked): boolean {
  return a.key < b.key || (a.key === b.key && compareUtf8(a.id, b.id) < 0);
}

interface Ranked {
  key: string;
  id: string;
}

/**
 * The `n` ids that come first in slice order, kept in a bounded max-heap (the largest of those kept at the top), so
 * a slice of a corpus of millions holds n entries, not one per doc. Repeated ids are offered once each.
 */
class FirstInSliceOrder {
  private readonly heap: Ranked[] = [];
  private readonly held = new Set<string>();

  constructor(private readonly n: number) {}

  offer(id: string): void {
    if (this.n === 0 || this.held.has(id)) return;
    const item = { key: sliceKey(id), id };
    const { heap } = this;
    if (heap.length < this.n) {
      heap.push(item);
      this.held.add(id);
      this.up(heap.length - 1);
    } else if (before(item, heap[0])) {
      this.held.delete(heap[0].id);
      heap[0] = item;
      this.held.add(id);
      this.down(0);
    }
  }

  ids(): Set<string> {
    return new Set(this.held);
  }

  private up(i: number): void {
    const { heap } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[parent], heap[i])) return;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private down(i: number): void {
    const { heap } = this;
    for (;;) {
      let top = i;
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < heap.length && before(heap[top], heap[c])) top = c;
      if (top === i) return;
      [heap[top], heap[i]] = [heap[i], heap[top]];
      i = top;
    }
  }
}

/** The `n` of `ids` first in slice order, in their given order (qrels order for queries). */
export function pickQueries(ids: readonly string[], n: number): string[] {
  const first = new FirstInSliceOrder(n);
  for (const id of ids) first.offer(id);
  const kept = first.ids();
  return ids.filter((id) => kept.has(id));
}

/**
 * The docs of a `--max-docs` slice besides those always kept (the relevant docs of the kept queries): the `budget`
 * others first in slice order, found in one pass over corpus.jsonl.
 */
export async function pickFillerDocs(corpusPath: string, always: ReadonlySet<string>, budget: number): Promise<Set<string>> {
  const first = new FirstInSliceOrder(budget);
  for await (const doc of readCorpus(corpusPath)) if (!always.has(doc.id)) first.offer(doc.id);
  return first.ids();
}

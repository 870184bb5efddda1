import type { Corpus } from '../../src/datasets/corpus.js';
import type { Doc } from '../../src/types.js';

/** Every doc of a (small) corpus, read from its stream: tests compare them whole. */
export async function docsOf(corpus: Corpus): Promise<Doc[]> {
  const docs: Doc[] = [];
  for await (const d of corpus.stream()) docs.push(d);
  return docs;
}

import { readCorpus } from '../../src/datasets/loaders.js';
import { passageText } from '../../src/models/input-text.js';

/** The first n passages of a BEIR corpus.jsonl, as a model receives them (`prefix + (title + " " + text).trim()`). */
export async function firstPassages(path: string, n: number, prefix: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const doc of readCorpus(path)) {
    if (texts.length === n) break;
    texts.push(passageText(doc, prefix));
  }
  return texts;
}

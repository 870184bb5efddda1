import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { wordCount } from '../word-count.js';
import { CORPUS_FILE, loadSplitQueries, readCorpus } from './loaders.js';
import type { DatasetInfo } from './registry.js';
import { statsFromLengths, type BiasRule, type DatasetStats } from './stats.js';

/**
 * Measure a BEIR folder for the stats table: the split's judged queries and, when corpus.jsonl is
 * there, every document's `text` length (streamed; one number per doc is kept). A folder without a
 * corpus (queries and qrels only) still gets its query columns.
 */
export async function measureDataset(info: DatasetInfo, folder: string, split: string, rule?: BiasRule): Promise<DatasetStats> {
  const { queries } = await loadSplitQueries(folder, split);
  const corpusPath = join(folder, CORPUS_FILE);
  const hasCorpus = await stat(corpusPath).then((s) => s.isFile(), () => false);
  return statsFromLengths({
    info,
    split,
    queryTexts: queries.map((q) => q.text),
    passageLengths: hasCorpus ? await passageLengths(corpusPath) : null,
    ...(!hasCorpus && { unavailableReason: `no ${CORPUS_FILE} in ${folder}` }),
    rule,
  });
}

/** Word count of each document's text; a repeated _id counts once with its last text, as BEIR's dict. */
async function passageLengths(corpusPath: string): Promise<number[]> {
  const byId = new Map<string, number>();
  for await (const doc of readCorpus(corpusPath)) byId.set(doc.id, wordCount(doc.text));
  return [...byId.values()];
}

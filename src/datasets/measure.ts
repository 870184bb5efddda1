import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { scanCorpus } from './corpus.js';
import { CORPUS_FILE, loadSplitQueries } from './loaders.js';
import type { DatasetInfo } from './registry.js';
import { statsFromLengths, type BiasRule, type DatasetStats } from './stats.js';

/**
 * Measure a BEIR folder for the stats table: the split's judged queries and, when corpus.jsonl is
 * there, every document's `text` length (streamed: one number and the compact id per doc are kept). A folder without a
 * corpus (queries and qrels only) still gets its query columns.
 */
export async function measureDataset(info: DatasetInfo, folder: string, split: string, rule?: BiasRule): Promise<DatasetStats> {
  const { queries } = await loadSplitQueries(folder, split);
  const corpusPath = join(folder, CORPUS_FILE);
  const corpusFile = await stat(corpusPath).then((s) => (s.isFile() ? s : null), () => null);
  const hasCorpus = corpusFile !== null;
  return statsFromLengths({
    info,
    split,
    queryTexts: queries.map((q) => q.text),
    passageLengths: corpusFile ? (await scanCorpus(corpusPath, corpusFile.size)).textWords : null,
    ...(!hasCorpus && { unavailableReason: `no ${CORPUS_FILE} in ${folder}` }),
    rule,
  });
}

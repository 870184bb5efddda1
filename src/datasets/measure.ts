import { ContentDigest, jsonLinesContentDigest, qrelsContentDigest } from './content-digest.js';
import { scanCorpus } from './corpus.js';
import { datasetFacts, type DatasetFacts } from './identity.js';
import { CORPUS_FILE, findDatasetFile, loadSplitQueries, QUERIES_FILE, qrelsFile, textBytes } from './loaders.js';
import { repeatedIdsOf, type DatasetSource } from './source.js';
import { statsFromLengths, type BiasRule, type DatasetStats } from './stats.js';

/**
 * Measure a BEIR folder for the stats table: the split's judged queries and, when corpus.jsonl is
 * there, every document's `text` length (streamed: one number and the compact id per doc are kept). A folder without a
 * corpus (queries and qrels only) still gets its query columns. A folder given a registry name is checked against
 * that entry (counts, content digests: src/datasets/identity.ts) before the registry's figures are set beside it.
 */
export async function measureDataset(source: DatasetSource, split: string, rule?: BiasRule): Promise<{ stats: DatasetStats; facts: DatasetFacts }> {
  const { folder } = source;
  const repeatedIds = repeatedIdsOf(source);
  const { queries, judgedQueriesTotal, queriesPath, qrelsPath } = await loadSplitQueries(folder, split, undefined, repeatedIds);
  const corpusPath = await findDatasetFile(folder, CORPUS_FILE);
  // Digests are needed only to tell whether a folder is the registry dataset it is named after.
  const identify = source.origin === 'folder' && source.claims !== undefined;
  const corpusDigest = identify ? new ContentDigest() : undefined;
  const scan = corpusPath ? await scanCorpus(corpusPath, await textBytes(corpusPath), { digest: corpusDigest, repeatedIds }) : null;
  const contentDigests: Record<string, string> = identify
    ? {
        ...(corpusDigest && scan ? { [CORPUS_FILE]: corpusDigest.digest() } : {}),
        [QUERIES_FILE]: await jsonLinesContentDigest(queriesPath, 'queries'),
        [qrelsFile(split)]: await qrelsContentDigest(qrelsPath),
      }
    : {};
  const facts = datasetFacts(source, { split, corpusDocs: scan ? scan.distinctDocs : null, judgedQueries: judgedQueriesTotal, contentDigests });
  const stats = statsFromLengths({
    dataset: facts,
    split,
    queryTexts: queries.map((q) => q.text),
    passageLengths: scan ? scan.textWords : null,
    ...(!scan && { unavailableReason: `no ${CORPUS_FILE} in ${folder}` }),
    rule,
  });
  return { stats, facts };
}

/**
 * Whether the registry's facts (its md5, counts, the article's row, the published scores) apply to a dataset: always
 * to the md5-checked download, never to a folder of another name, and to a folder given a registry name only when its
 * passage and query counts are the registry's and its content digests the ones the project knows. A folder that only
 * borrows the name is named as given and says why it is not that dataset (docs/DATASETS.md "Your own data").
 */
import type { LoadedDataset } from './loaders.js';
import type { DatasetInfo } from './registry.js';
import type { DatasetSource } from './source.js';

/** A dataset as tables and results name it, and the registry entry whose facts apply to it, if any. */
export interface DatasetFacts {
  name: string;
  displayName: string;
  /** The registry entry whose facts apply; absent for a folder that is not a registry dataset. */
  registry?: DatasetInfo;
  /** A folder given a registry name that is not that dataset: why, in one line. */
  mismatch?: string;
}

/** What was read of a folder, to tell whether it is the registry dataset its name claims. */
export interface Observed {
  split: string;
  /** Distinct documents of the whole corpus (before a slice); null when the folder has no corpus. */
  corpusDocs: number | null;
  /** Judged queries of the split (before a slice). */
  judgedQueries: number;
  /** Content digests by file (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`). */
  contentDigests: Record<string, string>;
}

export function observedOf(ds: LoadedDataset): Observed {
  return {
    split: ds.split,
    corpusDocs: ds.corpusDocsTotal,
    judgedQueries: ds.judgedQueriesTotal,
    contentDigests: Object.fromEntries(Object.entries(ds.files).map(([file, f]) => [file, f.contentDigest])),
  };
}

export function datasetFacts(source: DatasetSource, observed: Observed): DatasetFacts {
  const info = source.claims;
  if (!info) return { name: source.name, displayName: source.name };
  if (source.origin === 'download') return { name: source.name, displayName: info.displayName, registry: info };
  const counts = [
    ...(observed.corpusDocs !== null && observed.corpusDocs !== info.corpusDocs ? [`${observed.corpusDocs} passages, ${info.displayName} has ${info.corpusDocs}`] : []),
    ...(observed.split === 'test' && observed.judgedQueries !== info.testQueries ? [`${observed.judgedQueries} test queries, ${info.displayName} has ${info.testQueries}`] : []),
  ];
  // Other counts are reason enough (the digests then differ too); the same counts with other records show in the digests.
  const differences = counts.length > 0 ? counts : Object.entries(observed.contentDigests).flatMap(([file, digest]) => {
    const known = info.contentDigests?.[file];
    return known !== undefined && known !== digest ? [`${file} content digest ${digest.slice(0, 12)}…, ${info.displayName}'s is ${known.slice(0, 12)}…`] : [];
  });
  if (differences.length === 0) return { name: source.name, displayName: info.displayName, registry: info };
  return {
    name: source.name,
    displayName: source.name,
    mismatch:
      `${source.folder} is named ${info.name} but is not ${info.displayName} (${differences.join('; ')}): ` +
      `the registry's md5, published scores and article row are not applied to it`,
  };
}

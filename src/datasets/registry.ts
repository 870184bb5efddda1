import { UserError } from '../errors.js';

/** One BEIR dataset with a public zip (docs/DATASETS.md). */
export interface DatasetInfo {
  /** Name of the zip and of the folder inside it, e.g. `trec-covid`. */
  name: string;
  /** Name as printed in tables, e.g. `TREC-COVID`. */
  displayName: string;
  splits: string[];
  /** Queries of the test split (the split the paper reports). */
  testQueries: number;
  /** Corpus documents. Exact for the four seed datasets; from the BEIR paper for the others. */
  corpusDocs: number;
  avgRelDocsPerQuery: number;
  /** md5 of the official zip. */
  md5: string;
  zipBytes?: number;
  /**
   * Passage lengths as the seed article reports them. Used when the corpus is not at hand
   * (labelled "from registry"), and to flag a measured value that differs from the article.
   */
  knownAvgPassageLength?: number;
  knownMedianPassageLength?: number;
  /**
   * Content digests (src/datasets/content-digest.ts) of the files the project has checked, by path in the folder:
   * a folder given this dataset's name is this dataset only if its files have these (src/datasets/identity.ts).
   */
  contentDigests?: Readonly<Record<string, string>>;
}

export const OFFICIAL_BASE_URL = 'https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/';

export const DATASETS: readonly DatasetInfo[] = [
  {
    name: 'trec-covid', displayName: 'TREC-COVID', splits: ['test'], testQueries: 50, corpusDocs: 171_332,
    avgRelDocsPerQuery: 493.5, md5: 'ce62140cb23feb9becf6270d0d1fe6d1', zipBytes: 73_876_720,
    knownAvgPassageLength: 148.64, knownMedianPassageLength: 155,
    contentDigests: {
      'queries.jsonl': '590d9f7a4ba513e73ccc032a88c2276b858e7908f59a6dcb3fa81a09b8f53636',
      'qrels/test.tsv': '05ee95093a39dd17610b1384fcbcc65f09f170f4c5db04e18be169f5e3d71604',
    },
  },
  {
    name: 'nfcorpus', displayName: 'NFCorpus', splits: ['train', 'dev', 'test'], testQueries: 323, corpusDocs: 3_633,
    avgRelDocsPerQuery: 38.2, md5: 'a89dba18a62ef92f7d323ec890a0d38d',
    knownAvgPassageLength: 232.1, knownMedianPassageLength: 224,
    contentDigests: {
      'corpus.jsonl': '6c246297bcedb9d2f821954067309bd118e51c44b23e279b9f0165ceebfcbffe',
      'queries.jsonl': '49d63be04c89a5c08f80564ec3b1c1c2eb90cf0ff5484711cc6a271d0b3d9492',
      'qrels/dev.tsv': 'e2c35dff827aeec12ac41ebad436ff154e68bcf086d81e5c0fbc39e0f393d9f5',
      'qrels/test.tsv': 'ee4eb0618b81ecd41e2a688c3df115f7f0616ccdf2d2e5bb1476b26c0b17358a',
    },
  },
  {
    name: 'scifact', displayName: 'SciFact', splits: ['train', 'test'], testQueries: 300, corpusDocs: 5_183,
    avgRelDocsPerQuery: 1.1, md5: '5f7d1de60b170fc8027bb7898e2efca1',
    knownAvgPassageLength: 201.81, knownMedianPassageLength: 192,
    contentDigests: {
      'corpus.jsonl': '281917d4a789962fa0a916461820420df4fcd0b55604abe09b475715fc76a1ef',
      'queries.jsonl': '5a5725eaab8015c6bc418d3f0300e790a7e420dda891c9f8b784f55d3151492a',
      'qrels/test.tsv': '7e390610a023f688a492ec4eaed1f89a2b54c5981bf22fb680ffbf818da7a056',
      'qrels/train.tsv': '724af4216663d8951b1089ee298f7fb95398f92913f7529119beb54a455baab7',
    },
  },
  {
    name: 'arguana', displayName: 'ArguAna', splits: ['test'], testQueries: 1_406, corpusDocs: 8_674,
    avgRelDocsPerQuery: 1.0, md5: '8ad3e3c2a5867cdced806d6503f29b99',
    knownAvgPassageLength: 164.19, knownMedianPassageLength: 147,
    contentDigests: {
      'corpus.jsonl': 'ed2fe4603154d3b1b56180db152ea6d2bd13616eba210a21a908d594397e92bd',
      'queries.jsonl': '7cc7f3a1dd57903aff07f47395effa585873229d90e9716f6208771b3812679c',
      'qrels/test.tsv': '2bd813044cf901b4168b88ee27d49fc0fc3c4ddb9171ae40865a790000d70819',
    },
  },
  {
    name: 'fiqa', displayName: 'FiQA-2018', splits: ['train', 'dev', 'test'], testQueries: 648, corpusDocs: 57_638,
    avgRelDocsPerQuery: 2.6, md5: '17918ed23cd04fb15047f73e6c3bd9d9',
  },
  {
    name: 'scidocs', displayName: 'SCIDOCS', splits: ['test'], testQueries: 1_000, corpusDocs: 25_657,
    avgRelDocsPerQuery: 4.9, md5: '38121350fc3a4d2f48850f6aff52e4a9',
  },
  {
    name: 'quora', displayName: 'Quora', splits: ['dev', 'test'], testQueries: 10_000, corpusDocs: 522_931,
    avgRelDocsPerQuery: 1.6, md5: '18fb154900ba42a600f84b839c173167',
  },
  {
    name: 'webis-touche2020', displayName: 'Touche-2020', splits: ['test'], testQueries: 49, corpusDocs: 382_545,
    avgRelDocsPerQuery: 19.0, md5: '46f650ba5a527fc69e0a6521c5a23563',
  },
  {
    // The zip holds one BEIR folder per forum (cqadupstack/<forum>/), not one corpus.
    name: 'cqadupstack', displayName: 'CQADupStack', splits: ['test'], testQueries: 13_145, corpusDocs: 457_199,
    avgRelDocsPerQuery: 1.4, md5: '4e41456d7df8ee7760a7f866133bda78',
  },
  {
    name: 'nq', displayName: 'NQ', splits: ['train', 'test'], testQueries: 3_452, corpusDocs: 2_681_468,
    avgRelDocsPerQuery: 1.2, md5: 'd4d3d2e48787a744b6f6e691ff534307',
  },
  {
    name: 'hotpotqa', displayName: 'HotpotQA', splits: ['train', 'dev', 'test'], testQueries: 7_405, corpusDocs: 5_233_329,
    avgRelDocsPerQuery: 2.0, md5: 'f412724f78b0d91183a0e86805e16114',
  },
  {
    name: 'dbpedia-entity', displayName: 'DBPedia', splits: ['dev', 'test'], testQueries: 400, corpusDocs: 4_635_922,
    avgRelDocsPerQuery: 38.2, md5: 'c2a39eb420a3164af735795df012ac2c',
  },
  {
    name: 'fever', displayName: 'FEVER', splits: ['train', 'dev', 'test'], testQueries: 6_666, corpusDocs: 5_416_568,
    avgRelDocsPerQuery: 1.2, md5: '5a818580227bfb4b35bb6fa46d9b6c03',
  },
  {
    name: 'climate-fever', displayName: 'Climate-FEVER', splits: ['test'], testQueries: 1_535, corpusDocs: 5_416_593,
    avgRelDocsPerQuery: 3.0, md5: '8b66f0a9126c521bae2bde127b4dc99d',
  },
  {
    // The test split is TREC-DL 2019: 43 queries, 95.4 relevant docs each.
    name: 'msmarco', displayName: 'MS MARCO', splits: ['train', 'dev', 'test'], testQueries: 43, corpusDocs: 8_841_823,
    avgRelDocsPerQuery: 95.4, md5: '444067daf65d982533ea17ebd59501e4',
  },
];

/** The seed article's four datasets, in the article's order. */
export const SEED_DATASETS: readonly string[] = ['nfcorpus', 'trec-covid', 'scifact', 'arguana'];

const BY_NAME = new Map(DATASETS.map((d) => [d.name, d]));

/** The registry entry of a name (case-insensitive), if it has one. */
export function findDataset(name: string): DatasetInfo | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** Look up a dataset by name (case-insensitive); unknown names list the valid ones. */
export function getDataset(name: string): DatasetInfo {
  const info = BY_NAME.get(name.trim().toLowerCase());
  if (!info) {
    throw new UserError(
      `unknown dataset "${name}"; valid names: ${DATASETS.map((d) => d.name).join(', ')} (or "seed" for ${SEED_DATASETS.join(', ')})`,
    );
  }
  return info;
}

/** Download URL of a dataset's zip; `baseUrl` (a --mirror) replaces the official base. */
export function datasetZipUrl(name: string, baseUrl: string = OFFICIAL_BASE_URL): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  let url: URL;
  try {
    url = new URL(`${name}.zip`, base);
  } catch {
    throw new UserError(`invalid mirror URL "${baseUrl}": expected an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`invalid mirror URL "${baseUrl}": only http and https are supported`);
  }
  return url.href;
}

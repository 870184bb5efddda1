import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { DATASETS, datasetZipUrl, getDataset, OFFICIAL_BASE_URL } from '../../src/datasets/registry.js';
import { expandDatasetSpecs } from '../../src/datasets/source.js';

describe('registry', () => {
  it('holds the 15 BEIR datasets with public zips, with md5s and counts', () => {
    expect(DATASETS.map((d) => d.name)).toEqual([
      'trec-covid', 'nfcorpus', 'scifact', 'arguana', 'fiqa', 'scidocs', 'quora', 'webis-touche2020',
      'cqadupstack', 'nq', 'hotpotqa', 'dbpedia-entity', 'fever', 'climate-fever', 'msmarco',
    ]);
    for (const d of DATASETS) expect(d.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(getDataset('trec-covid')).toMatchObject({
      displayName: 'TREC-COVID', testQueries: 50, corpusDocs: 171_332, avgRelDocsPerQuery: 493.5,
      md5: 'ce62140cb23feb9becf6270d0d1fe6d1', zipBytes: 73_876_720, knownAvgPassageLength: 148.64, knownMedianPassageLength: 155,
    });
    expect(getDataset('arguana')).toMatchObject({ displayName: 'ArguAna', testQueries: 1406, corpusDocs: 8674, knownAvgPassageLength: 164.19 });
    expect(getDataset('msmarco')).toMatchObject({ displayName: 'MS MARCO', testQueries: 43, splits: ['train', 'dev', 'test'] });
  });

  it('rejects an unknown name listing the valid ones', () => {
    expect(() => getDataset('scifakt')).toThrow(UserError);
    expect(() => getDataset('scifakt')).toThrow(/unknown dataset "scifakt"; valid names: trec-covid, nfcorpus, scifact, .*msmarco/);
  });

  it('expands seed (article order), comma lists and repeats, dropping duplicates', () => {
    expect(expandDatasetSpecs(['seed'])).toEqual(['nfcorpus', 'trec-covid', 'scifact', 'arguana']);
    expect(expandDatasetSpecs(['SciFact, fiqa', 'seed', 'fiqa'])).toEqual(['scifact', 'fiqa', 'nfcorpus', 'trec-covid', 'arguana']);
    expect(() => expandDatasetSpecs([' , '])).toThrow(/no dataset given/);
  });

  it('builds zip URLs from the official base or a mirror', () => {
    expect(datasetZipUrl('scifact')).toBe(`${OFFICIAL_BASE_URL}scifact.zip`);
    expect(OFFICIAL_BASE_URL).toBe('https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/');
    expect(datasetZipUrl('scifact', 'http://127.0.0.1:8080/beir')).toBe('http://127.0.0.1:8080/beir/scifact.zip');
    expect(datasetZipUrl('scifact', 'https://m.example/x/')).toBe('https://m.example/x/scifact.zip');
    expect(() => datasetZipUrl('scifact', 'not a url')).toThrow(/invalid mirror URL "not a url"/);
    expect(() => datasetZipUrl('scifact', 'ftp://m.example/')).toThrow(/only http and https/);
  });
});

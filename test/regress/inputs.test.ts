import { describe, expect, it } from 'vitest';
import { diffFingerprint, fileChanges, inputChanges, stringChanges, type DatasetInputs, type SystemInputs } from '../../src/regress/inputs.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const dataset: DatasetInputs = {
  content: { 'corpus.jsonl': SHA_A, 'qrels/test.tsv': SHA_A },
  files: { 'corpus.jsonl': SHA_A, 'qrels/test.tsv': SHA_A },
  stats: { docs: 300, passageWordsAvg: 203.53 },
};
const system: SystemInputs = {
  encoder: { model: 'intfloat/e5-small-v2', weightsSha256: SHA_A, dtype: 'fp32', pooling: 'mean', normalize: true, maxLength: 512, dimension: 384 },
  strings: { queries: SHA_A, passages: SHA_A },
};

describe('recorded inputs', () => {
  it('nothing changed, nothing reported; nothing recorded, nothing compared', () => {
    expect(inputChanges({ dataset, system }, { dataset, system })).toEqual([]);
    expect(inputChanges({ dataset: null, system: null }, { dataset, system })).toEqual([]);
  });

  it('names each changed content digest, statistic and encoder setting, hashes shortened', () => {
    const now = {
      dataset: { content: { 'corpus.jsonl': SHA_B, 'qrels/dev.tsv': SHA_A }, files: dataset.files, stats: { docs: 299, passageWordsAvg: 203.53 } },
      system: { ...system, encoder: { ...system.encoder, weightsSha256: SHA_B, maxLength: 256 } },
    };
    expect(inputChanges({ dataset, system }, now)).toEqual([
      'content.corpus.jsonl: aaaaaaaaaaaa… -> bbbbbbbbbbbb…',
      'content.qrels/test.tsv: aaaaaaaaaaaa… -> (absent)',
      'content.qrels/dev.tsv: (absent) -> aaaaaaaaaaaa…',
      'stats.docs: 300 -> 299',
      "encoder.weightsSha256: aaaaaaaaaaaa… -> bbbbbbbbbbbb… (tonight's intfloat/e5-small-v2 onnx/model.onnx is not the file the matrix expects: provision the pinned weights, scripts/provision-models.sh)",
      'encoder.maxLength: 512 -> 256',
    ]);
  });

  it('the files\' bytes are information: the same records in another order are no input change', () => {
    const now = { dataset: { ...dataset, files: { ...dataset.files, 'corpus.jsonl': SHA_B } }, system };
    expect(inputChanges({ dataset, system }, now)).toEqual([]);
    expect(fileChanges(dataset, now.dataset)).toEqual(['files.corpus.jsonl: aaaaaaaaaaaa… -> bbbbbbbbbbbb…']);
  });

  it('the strings sent are not an input change: they are the code\'s doing when data and model are unchanged', () => {
    const now = { dataset, system: { ...system, strings: { queries: SHA_B, passages: SHA_A } } };
    expect(inputChanges({ dataset, system }, now)).toEqual([]);
    expect(stringChanges(system, now.system)).toEqual(['strings.queries: aaaaaaaaaaaa… -> bbbbbbbbbbbb…']);
  });

  it('a lexical system recorded no encoder; a dense one tonight is a change', () => {
    expect(diffFingerprint('encoder', null, system.encoder)).toEqual(['encoder: none recorded, present now']);
    expect(diffFingerprint('encoder', null, null)).toEqual([]);
  });
});

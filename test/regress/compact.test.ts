/**
 * The compact matrix layout: what `regress convert` and --update write (src/regress/compact.ts), read back as the
 * old layout is read, with each shared record checked and every error naming file, line and field.
 */
import { describe, expect, it } from 'vitest';
import { compactText, recordsOf } from '../../src/regress/compact.js';
import { parseMatrix, type RegressionMatrix } from '../../src/regress/matrix.js';

const FILE = '/work/regressions/m.yaml';
const parse = (text: string) => parseMatrix(text, FILE);
const compact = (text: string) => {
  const m = parse(text);
  return compactText(m, recordsOf(m), FILE);
};

const ENCODER = '{ model: intfloat/e5-small-v2, weightsSha256: abc, dimension: 384 }';
/** The old layout: every entry and condition carries its own copy of the inputs. */
const OLD = `# kept through conversion
systems:
  - id: e5
    model: intfloat/e5-small-v2
    prefix: asymmetric
  - engine: bm25
datasets:
  - dataset: scifact
    inputs:
      content: { corpus.jsonl: c1, queries.jsonl: q1, qrels/test.tsv: t1 }
      files: { corpus.jsonl: f1, queries.jsonl: fq1, qrels/test.tsv: ft1 }
      stats: { docs: 5, queries: 2 }
    expected:
      bm25:
        metrics: { NDCG@10: 0.6651 }
        baselineRun: m/scifact.bm25.trec
      e5:
        metrics: { NDCG@10: 0.7 }
        tolerance: 0.002
        baselineRun: m/scifact.e5.trec
        inputs:
          encoder: ${ENCODER}
          strings: { queries: s1, passages: p1 }
  - dataset: scifact
    split: dev
    maxQueries: 2
    systems: [e5]
    inputs:
      content: { corpus.jsonl: c1, queries.jsonl: q1, qrels/dev.tsv: d1 }
      files: { corpus.jsonl: f1, queries.jsonl: fq1, qrels/dev.tsv: fd1 }
      stats: { docs: 5, queries: 1 }
    expected:
      e5:
        metrics: { NDCG@10: 0.5 }
        baselineRun: m/scifact.dev.q2.e5.trec
        inputs:
          encoder: ${ENCODER}
          strings: { queries: s2, passages: p2 }
`;

/** What a matrix says, places left out: the same for both layouts of one matrix. */
const said = (m: RegressionMatrix) =>
  m.datasets.map((d) => ({
    name: d.name,
    inputs: d.inputs && { content: d.inputs.content, files: d.inputs.files, stats: d.inputs.stats },
    expected: [...d.expected].map(([id, e]) => [id, [...e.metrics], e.tolerance, e.baselineRun?.path, e.inputs]),
  }));

describe('compact matrix layout', () => {
  it('records each dataset\'s files and each system\'s encoder once, and reads back as the old layout does', () => {
    const text = compact(OLD);
    expect(said(parse(text))).toEqual(said(parse(OLD)));
    // Both splits' qrels under one dataset record; each entry reads its own split's.
    expect(parse(text).datasets[1].inputs!.content).toEqual({ 'corpus.jsonl': 'c1', 'queries.jsonl': 'q1', 'qrels/dev.tsv': 'd1' });
    expect(text.match(/corpus\.jsonl: c1/g)).toHaveLength(1);
    expect(text.match(/weightsSha256: abc/g)).toHaveLength(1);
    expect(text).toMatch(/^# kept through conversion\n/);
    expect(text).toMatch(/\n {4}- systems: \[e5\]\n {6}encoder:\n {8}model: intfloat\/e5-small-v2\n/);
    expect(text).toMatch(/\n {4}stats: \{docs: 5, queries: 1\}\n/);
    expect(text).toMatch(/\n {8}metrics: \{NDCG@10: 0\.7\}\n {8}tolerance: 0\.002\n {8}baselineRun: m\/scifact\.e5\.trec\n {8}strings: \{queries: s1, passages: p1\}\n/);
    expect(text).not.toMatch(/^ {4}inputs:/m);
    // Written again, it is the same text.
    expect(compact(text)).toBe(text);
  });

  it.each([
    [
      'two entries of one dataset recorded from different files',
      OLD.replace('content: { corpus.jsonl: c1, queries.jsonl: q1, qrels/dev.tsv: d1 }', 'content: { corpus.jsonl: c2, queries.jsonl: q1, qrels/dev.tsv: d1 }'),
      /^\/work\/regressions\/m\.yaml:10: datasets\[0\]\.inputs and \/work\/regressions\/m\.yaml:29: datasets\[1\]\.inputs record different content\.corpus\.jsonl of scifact: the compact layout records it once/,
    ],
    [
      'one system recorded with two encoders',
      OLD.replace(`encoder: ${ENCODER}\n          strings: { queries: s2`, `encoder: { model: intfloat/e5-small-v2, weightsSha256: abd, dimension: 384 }\n          strings: { queries: s2`),
      /^\/work\/regressions\/m\.yaml:18: datasets\[0\]\.expected\.e5 and \/work\/regressions\/m\.yaml:34: datasets\[1\]\.expected\.e5 record different encoders for system e5: .*regress --update without --tag/,
    ],
    [
      'inputs recorded before content digests',
      OLD.replace('      content: { corpus.jsonl: c1, queries.jsonl: q1, qrels/test.tsv: t1 }\n', ''),
      /^\/work\/regressions\/m\.yaml:10: datasets\[0\]\.inputs: the recorded inputs have no content digests .*run regress --update/,
    ],
  ])('cannot hold %s: an error naming both places, nothing written', (_, text, message) => {
    expect(() => compact(text)).toThrow(message);
  });

  const COMPACT = compact(OLD);
  it.each([
    ['an entry with its own inputs', COMPACT.replace('    stats: {docs: 5, queries: 2}\n', '    inputs: {stats: {docs: 5}}\n'), /m\.yaml:\d+: datasets\[0\]\.inputs: this matrix records inputs in the compact layout .*regress convert/],
    ['a condition with its own inputs', COMPACT.replace('        strings: {queries: s1, passages: p1}\n', '        inputs: {strings: {queries: s1}}\n'), /m\.yaml:\d+: datasets\[0\]\.expected\.e5\.inputs: this matrix records inputs in the compact layout/],
    ['stats of a dataset with no record', COMPACT.replace('    scifact:\n', '    nfcorpus:\n'), /m\.yaml:\d+: datasets\[0\]\.stats: the content digests of scifact are not recorded under the top-level inputs\.datasets\.scifact/],
    ['an unknown dataset', COMPACT.replace('    scifact:\n', '    scifakt:\n'), /m\.yaml:\d+: inputs\.datasets\.scifakt: unknown dataset "scifakt"/],
    ['a dataset record without content', COMPACT.replace('      content:\n', '      contents:\n'), /m\.yaml:\d+: inputs\.datasets\.scifact\.contents: unknown field; expected one of content, files/],
    ['an unknown system in an encoder group', COMPACT.replace('- systems: [e5]', '- systems: [e6]'), /m\.yaml:\d+: inputs\.encoders\[0\]\.systems\[0\]: no system has the id "e6"; the systems are e5, bm25/],
    ['a system in two encoder groups', COMPACT.replace('- systems: [e5]', '- systems: [e5, e5]'), /m\.yaml:\d+: inputs\.encoders\[0\]\.systems\[1\]: "e5" is in two encoder groups/],
    ['an encoder group without its encoder', COMPACT.replace('      encoder:\n', '      encoders:\n'), /m\.yaml:\d+: inputs\.encoders\[0\]\.encoders: unknown field; expected one of systems, encoder/],
    ['a typo at the top of inputs', COMPACT.replace('  encoders:\n', '  encoder:\n'), /m\.yaml:\d+: inputs\.encoder: unknown field; expected one of datasets, encoders/],
    ['both layouts in one condition', OLD.replace('        inputs:\n          encoder:', '        strings: { queries: s1, passages: p1 }\n        inputs:\n          encoder:'), /m\.yaml:\d+: datasets\[0\]\.expected\.e5\.strings: "strings" and "inputs" both record this condition's inputs/],
  ])('%s: an error naming file, line and field', (_, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forEachRunLine, runFileLines, writeRunFile } from '../../src/formats/run-file.js';
import { nested, tempFile } from '../helpers/inputs.js';

/** Every line of a run file as [qid, docId, score], in file order. */
async function runLines(path: string): Promise<[string, string, number][]> {
  const lines: [string, string, number][] = [];
  await forEachRunLine(path, ({ qid, docId, score }) => lines.push([qid, docId, score]));
  return lines;
}

describe('forEachRunLine', () => {
  it('parses decimal floats in every accepted spelling', async () => {
    const path = tempFile(
      'run.txt',
      ['q a', 'q b', 'q c', 'q d', 'q e', 'q f']
        .map((s, i) => `${s.replace(' ', ' Q0 ')} ${i + 1} ${['1e-3', '0.001', '+7', '-2.5E+1', '-0', '.5'][i]} tag`)
        .join('\n'),
    );
    const scores = (await runLines(path)).map(([, , score]) => score);
    expect(scores).toEqual([0.001, 0.001, 7, -25, -0, 0.5]);
    expect(Object.is(scores[4], -0)).toBe(true);
  });

  it('gives every line in file order (a repeated doc twice), ignores the rank column, skips blank CRLF lines', async () => {
    const path = tempFile('run.txt', 'q Q0 a 1 3 t\r\nq Q0 b 2 2 t\r\n\r\nq Q0 a 99 1 t\r\n');
    expect(await runLines(path)).toEqual([['q', 'a', 3], ['q', 'b', 2], ['q', 'a', 1]]);
  });

  it('splits columns on ASCII whitespace only: a no-break space stays inside a doc id', async () => {
    const path = tempFile('run.txt', 'q\tQ0  a\u00A0b 1\t2 t\n');
    expect(await runLines(path)).toEqual([['q', 'a\u00A0b', 2]]);
  });

  it.each([
    ['q Q0 a 1 2', 'expected 6 whitespace-separated columns'],
    ['q Q0 a 1 abc t', 'score must be a decimal number, got "abc"'],
    ['q Q0 a 1 0x10 t', 'score must be a decimal number, got "0x10"'],
    ['q Q0 a 1 NaN t', 'score must be a decimal number, got "NaN"'],
    ['q Q0 a 1 inf t', 'score must be a decimal number, got "inf"'],
    ['q Q0 a 1 1e999 t', 'score "1e999" is out of range'],
  ])('malformed line %j names file:line', async (line, message) => {
    const path = tempFile('run.txt', `q Q0 ok 1 1 t\n${line}\n`);
    await expect(runLines(path)).rejects.toThrow(`${path}:2: ${message}`);
  });
});

describe('writeRunFile', () => {
  it('writes ranking order (float32 score desc, then doc id desc) with ranks 1..n', () => {
    // 0.1 and 0.10000000000000001 are the same double; 1.00000001 and 1 differ as doubles but round to
    // the same float32 (1 + 1e-8 is below float32's half-ulp 2^-24 ≈ 6e-8), so b and a tie and sort by id desc.
    const run = nested({ q1: { a: 1, b: 1.00000001, c: 2 }, q2: { z: 0.1 } });
    expect([...runFileLines(run, 'tag')]).toEqual([
      'q1 Q0 c 1 2 tag\n',
      'q1 Q0 b 2 1.00000001 tag\n',
      'q1 Q0 a 3 1 tag\n',
      'q2 Q0 z 1 0.1 tag\n',
    ]);
  });

  it('round-trips through forEachRunLine', async () => {
    const run = nested({ q1: { a: 0.1 + 0.2, b: -0, c: 1e-300 }, q2: { d: 123456789.123 } });
    const path = tempFile('run.txt', '');
    await writeRunFile(path, run, 'sys');
    const back = await runLines(path);
    // In ranking order: 1e-300 and -0 are both 0 as float32, a tie that doc id descending breaks (c before b).
    expect(back).toEqual([['q1', 'a', 0.30000000000000004], ['q1', 'c', 1e-300], ['q1', 'b', -0], ['q2', 'd', 123456789.123]]);
    expect(Object.is(back[2][2], -0)).toBe(true);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('q1 Q0 a 1 0.30000000000000004 sys');
  });

  it('refuses ids with whitespace (they cannot be written in TREC format)', () => {
    expect(() => [...runFileLines(nested({ q: { 'a b': 1 } }), 't')]).toThrow(/doc id "a b"/);
    expect(() => [...runFileLines(nested({ 'q\u3000': { a: 1 } }), 't')]).not.toThrow(); // only ASCII whitespace separates columns
  });

  it('refuses a non-finite score (it would not read back)', () => {
    expect(() => [...runFileLines(nested({ q: { a: NaN } }), 't')]).toThrow(/score NaN of doc a, query q/);
  });
});

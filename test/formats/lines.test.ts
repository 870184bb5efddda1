import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { forEachLine, lineBlocks, READ_BYTES, type LineBlock } from '../../src/formats/lines.js';
import { tempFile } from '../helpers/inputs.js';

/** Every [lineNo, line] of a file, as forEachLine gives them. */
async function numbered(path: string): Promise<[number, string][]> {
  const out: [number, string][] = [];
  await forEachLine(path, 'test', (line, n) => out.push([n, line]));
  return out;
}

describe('lineBlocks / forEachLine', () => {
  it('strips a leading BOM and CRs before LF, numbers blank lines too, reads a last line without a newline', async () => {
    const path = tempFile('a.txt', '\uFEFFfirst\r\n\r\nthird \r\nlast\r');
    expect(await numbered(path)).toEqual([[1, 'first'], [2, ''], [3, 'third '], [4, 'last']]);
  });

  it('keeps a BOM that is not at the start of the file, and a lone CR inside a line', async () => {
    const path = tempFile('b.txt', 'a\n\uFEFFb\nc\rd\n');
    expect(await numbered(path)).toEqual([[1, 'a'], [2, '\uFEFFb'], [3, 'c\rd']]);
  });

  it('gives nothing for an empty file and no extra line after a final newline', async () => {
    expect(await numbered(tempFile('empty.txt', ''))).toEqual([]);
    expect(await numbered(tempFile('one.txt', 'x\n'))).toEqual([[1, 'x']]);
  });

  it('joins a CRLF and a UTF-8 character cut by read boundaries, numbering across blocks', async () => {
    // The CR of line 1 is the last byte of the first read, its LF the first of the second; the 3-byte
    // "€" of line 2 starts 1 byte before the second boundary.
    const first = 'x'.repeat(READ_BYTES - 1);
    const second = `${'y'.repeat(READ_BYTES - 2)}€ second`;
    const path = tempFile('big.txt', `${first}\r\n${second}\nthird`);
    const blocks: LineBlock[] = [];
    for await (const b of lineBlocks(path, 'test')) blocks.push(b);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.map((b) => b.firstLineNo)).toEqual(blocks.map((_, i) => 1 + blocks.slice(0, i).reduce((n, p) => n + p.lines.length, 0)));
    expect(blocks.flatMap((b) => b.lines)).toEqual([first, second, 'third']);
  });

  it('reads a line spanning several reads whole', async () => {
    const long = 'z'.repeat(3 * READ_BYTES + 5);
    expect(await numbered(tempFile('long.txt', `a\n${long}\r\nb`))).toEqual([[1, 'a'], [2, long], [3, 'b']]);
  });

  it('stops reading when the consumer throws, and passes its error through unchanged', async () => {
    const path = tempFile('c.txt', 'a\nb\nc\n');
    const seen: number[] = [];
    const boom = Object.assign(new Error('stop at 2'), { code: 'EBOOM' }); // has a code, as a read failure does
    const err = await forEachLine(path, 'test', (_line, n) => {
      seen.push(n);
      if (n === 2) throw boom;
    }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(seen).toEqual([1, 2]);
  });

  it('a file that cannot be read is a UserError naming its role and path', async () => {
    const err = await numbered('/nonexistent/run.trec').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe('cannot read test file /nonexistent/run.trec: ENOENT');
  });
});

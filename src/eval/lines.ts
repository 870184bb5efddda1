import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors.js';

/**
 * Call `onLine` for every line of a text file, streaming (the file is never held as one string).
 * Line numbers are 1-based; a trailing CR (CRLF files) and a leading UTF-8 BOM are stripped. Whatever
 * `onLine` throws rejects the returned promise and stops reading. `what` names the file's role in errors.
 * Splits decoded 1 MiB chunks itself rather than using node:readline, so that a line that throws stops
 * the reading at once (readline keeps emitting the lines it has buffered) and errors stay in one place.
 */
export async function forEachLine(path: string, what: string, onLine: (line: string, lineNo: number) => void): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  const emit = (line: string) => {
    lineNo++;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    onLine(line, lineNo);
  };
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof UserError || code === undefined) throw err;
    throw new UserError(`cannot read ${what} file ${path}: ${code}`);
  } finally {
    stream.destroy();
  }
  rest += decoder.end();
  if (rest !== '') emit(rest);
}

/**
 * Find the columns of a line split on ASCII whitespace only (space, tab, CR, VT, FF), as C tools do:
 * doc ids may contain other Unicode spaces (U+00A0, U+3000) that /\s/ would split on. Writes the start
 * and end of column i to bounds[2i], bounds[2i + 1] for as many columns as fit; returns the column count,
 * counting at most one column beyond what fits (enough to report "too many columns").
 * Index-based so the hot loop of reading a 10M-line run slices only the columns it keeps.
 */
export function columnBounds(line: string, bounds: Int32Array): number {
  const capacity = bounds.length >> 1;
  const n = line.length;
  let count = 0;
  let i = 0;
  while (count <= capacity) {
    while (i < n && isAsciiSpace(line.charCodeAt(i))) i++;
    if (i === n) break;
    const start = i;
    while (i < n && !isAsciiSpace(line.charCodeAt(i))) i++;
    if (count < capacity) {
      bounds[2 * count] = start;
      bounds[2 * count + 1] = i;
    }
    count++;
  }
  return count;
}

/** The columns of a line (split as columnBounds does); at most `max + 1` of them, so callers see "too many". */
export function splitColumns(line: string, max: number): string[] {
  const bounds = new Int32Array(2 * (max + 1));
  const count = Math.min(columnBounds(line, bounds), max + 1);
  return Array.from({ length: count }, (_, i) => line.slice(bounds[2 * i], bounds[2 * i + 1]));
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** True for an empty line or one of ASCII whitespace only. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isAsciiSpace(line.charCodeAt(i))) return false;
  return true;
}

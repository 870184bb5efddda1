import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';

/** Consecutive lines of a text file: `lines[i]` is line number `firstLineNo + i` (1-based). */
export interface LineBlock {
  lines: string[];
  firstLineNo: number;
}

type OnLine = (line: string, lineNo: number) => void;

/**
 * The one line-splitting rule of every reader: UTF-8 decoded across reads, a leading BOM dropped, lines
 * cut on LF with a trailing CR stripped (CRLF files), numbered from 1, a line cut by a read carried over.
 */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private lineNo = 0;
  private atStart = true;

  get nextLineNo(): number {
    return this.lineNo + 1;
  }

  /** Emit the lines that `chunk` completes (locals in the loop: it runs once per line of a 10M-line run). */
  push(chunk: Buffer, onLine: OnLine): void {
    let text = this.decoder.write(chunk);
    if (this.atStart && text !== '') {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // Inside a line longer than a read, only append: joining and searching it at every read would copy
    // it again each time.
    if (text.indexOf('\n') === -1) {
      this.rest += text;
      return;
    }
    const all = this.rest + text;
    let lineNo = this.lineNo;
    let start = 0;
    for (let nl = all.indexOf('\n'); nl !== -1; nl = all.indexOf('\n', start)) {
      onLine(all.slice(start, nl > start && all.charCodeAt(nl - 1) === 13 ? nl - 1 : nl), ++lineNo);
      start = nl + 1;
    }
    this.lineNo = lineNo;
    this.rest = all.slice(start);
  }

  /** Emit the last line of a file that does not end with a newline. */
  end(onLine: OnLine): void {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    if (last !== '') onLine(last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last, ++this.lineNo);
  }
}

/**
 * 64 KiB reads (Node's default): each decoded read, and the text it is joined with, stays below V8's
 * large-object size (128 KiB), so it dies young in the scavenged heap. 1 MiB reads measured 13% more CPU
 * and 45 MiB more peak RSS reading a 10M-line run (docs/PERFORMANCE.md).
 */
export const READ_BYTES = 64 * 1024;

/** A file's bytes; a `.gz` file (a gzip-compressed corpus.jsonl.gz, say) decompressed as it is read. */
function open(path: string): Readable {
  const file = createReadStream(path, { highWaterMark: READ_BYTES });
  if (!path.endsWith('.gz')) return file;
  const gunzip = createGunzip({ chunkSize: READ_BYTES });
  file.on('error', (err) => gunzip.destroy(err));
  gunzip.on('close', () => file.destroy());
  return file.pipe(gunzip);
}

function readFailure(err: unknown, path: string, what: string): UserError {
  const e = err as NodeJS.ErrnoException;
  if (e.code?.startsWith('Z_')) return new UserError(`cannot read ${what} file ${path}: not a whole gzip file (${e.message})`);
  return new UserError(`cannot read ${what} file ${path}: ${e.code ?? e.message}`);
}

/**
 * Call `onLine` for every line of a text file, streaming (the file is never one string).
 * Whatever `onLine` throws rejects the returned promise unchanged and stops the reading; a read failure
 * is a UserError naming `what` (the file's role) and the path. The fast path for 10M-line runs: no
 * per-line await, no per-read array of lines.
 */
export async function forEachLine(path: string, what: string, onLine: OnLine): Promise<void> {
  const stream = open(path);
  const splitter = new LineSplitter();
  let inOnLine = false; // tells onLine's own errors (passed through) from the stream's
  try {
    for await (const chunk of stream) {
      inOnLine = true;
      splitter.push(chunk as Buffer, onLine);
      inOnLine = false;
    }
  } catch (err) {
    throw inOnLine ? err : readFailure(err, path, what);
  } finally {
    stream.destroy();
  }
  splitter.end(onLine);
}

/**
 * The same lines as forEachLine, pulled by the consumer one block (one read) at a time, for readers
 * that yield to async consumers (a 200 MB corpus is read only as fast as it is used).
 */
export async function* lineBlocks(path: string, what: string): AsyncGenerator<LineBlock> {
  const stream = open(path);
  const splitter = new LineSplitter();
  try {
    for await (const chunk of stream) {
      const block: LineBlock = { lines: [], firstLineNo: splitter.nextLineNo };
      splitter.push(chunk as Buffer, (line) => block.lines.push(line));
      if (block.lines.length > 0) yield block;
    }
  } catch (err) {
    throw readFailure(err, path, what); // the consumer's errors never arrive here: it runs outside this generator
  } finally {
    stream.destroy();
  }
  const last: LineBlock = { lines: [], firstLineNo: splitter.nextLineNo };
  splitter.end((line) => last.lines.push(line));
  if (last.lines.length > 0) yield last;
}

import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { withTempPath } from '../atomic-file.js';
import { UserError } from '../errors.js';
import { rankDocs } from '../ranking.js';
import type { Run } from '../types.js';
import { columnBounds, isBlank, splitColumns } from './columns.js';
import { parseDecimal } from './decimal.js';
import { forEachLine } from './lines.js';

/** One parsed line of a TREC run file. */
interface RunLine {
  qid: string;
  docId: string;
  score: number;
}

const bounds = new Int32Array(12); // column bounds of the line being parsed, reused (hot loop)

/**
 * Parse `qid Q0 docno rank score tag` (the Q0 and rank columns are ignored). The score is a decimal
 * float as strtod reads it: 1e-3, .5, +7, -0, -2.5E+1 (no hex, inf or nan). `at` names file:line for errors.
 */
function parseRunLine(line: string, at: () => string): RunLine {
  const count = columnBounds(line, bounds);
  if (count !== 6) {
    throw new UserError(`${at()}: expected 6 whitespace-separated columns (qid Q0 docno rank score tag), got ${count > 6 ? 'more' : count}`);
  }
  const score = parseDecimal(line, bounds[8], bounds[9]);
  if (!Number.isFinite(score)) {
    const text = line.slice(bounds[8], bounds[9]);
    throw new UserError(
      Number.isNaN(score) ? `${at()}: score must be a decimal number, got "${text}"` : `${at()}: score "${text}" is out of range`,
    );
  }
  return { qid: line.slice(bounds[0], bounds[1]), docId: line.slice(bounds[4], bounds[5]), score };
}

/** Stream the lines of a TREC run file to `onLine`, in file order (a repeated doc comes twice); blank lines are skipped. */
export function forEachRunLine(path: string, onLine: (l: RunLine) => void): Promise<void> {
  let lineNo = 0;
  const at = () => `${path}:${lineNo}`; // built only for an error message: not once per line
  return forEachLine(path, 'run', (line, n) => {
    lineNo = n;
    if (!isBlank(line)) onLine(parseRunLine(line, at));
  });
}

function checkToken(kind: string, s: string): void {
  const cols = splitColumns(s, 1);
  if (cols.length !== 1 || cols[0] !== s) throw new UserError(`cannot write a TREC run: ${kind} "${s}" is empty or contains whitespace`);
}

/**
 * The lines of a TREC run file, each query's docs in the shared ranking order with rank 1..n.
 * Scores are written with JavaScript's shortest round-trip form, so reading the file back gives the same run.
 */
export function* runFileLines(run: Run, tag: string): Generator<string> {
  checkToken('run tag', tag);
  for (const [qid, docs] of run) {
    checkToken('query id', qid);
    let rank = 0;
    for (const { id, score } of rankDocs(docs)) {
      checkToken('doc id', id);
      if (!Number.isFinite(score)) throw new Error(`cannot write a TREC run: score ${score} of doc ${id}, query ${qid}: a bug upstream`);
      // String(-0) is "0": spell the sign out so the file reads back as the same run.
      yield `${qid} Q0 ${id} ${++rank} ${Object.is(score, -0) ? '-0' : score} ${tag}\n`;
    }
  }
}

/** Join lines into ~64 KiB chunks: one stream write per line would dominate the cost of a 10M-line run. */
function* chunked(lines: Iterable<string>): Generator<string> {
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (buf !== '') yield buf;
}

/** Write a run as a TREC run file, streaming, atomically (readers never see half a file). */
export async function writeRunFile(path: string, run: Run, tag: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await withTempPath(path, async (tmp) => {
    await pipeline(Readable.from(chunked(runFileLines(run, tag))), createWriteStream(tmp));
    await rename(tmp, path);
  });
}

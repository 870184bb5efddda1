import { UserError } from '../errors.js';
import type { Qrels } from '../types.js';
import { isBlank, splitColumns } from './columns.js';
import { forEachLine } from './lines.js';

export type QrelsFormat = 'beir' | 'trec';

interface ReadQrelsOptions {
  /** 'auto' (default) decides from the first line: 3 tab-separated columns = BEIR, 4 columns = TREC. */
  format?: QrelsFormat | 'auto';
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Parse an integer relevance grade as BEIR's int() does: surrounding spaces allowed, anything else
 * (1.0, 1e0, empty) is malformed.
 */
function parseGrade(raw: string, where: string, field: string): number {
  const s = raw.trim();
  const g = Number(s);
  if (!INTEGER.test(s) || !Number.isSafeInteger(g)) {
    throw new UserError(`${where}: relevance grade must be an integer, got "${raw}" (field "${field}")`);
  }
  return g;
}

/** Decide the format of a qrels file from its first non-blank line. */
function detectQrelsFormat(firstLine: string, where: string): QrelsFormat {
  if (firstLine.split('\t').length === 3) return 'beir';
  if (splitColumns(firstLine, 4).length === 4) return 'trec';
  throw new UserError(
    `${where}: cannot tell the qrels format: expected a BEIR TSV header (query-id<TAB>corpus-id<TAB>score) ` +
      `or a TREC qrels line (qid iter docno rel); pass --qrels-format to force one`,
  );
}

/** One judgment as read: its query, its doc, its grade and its line (1-based). */
export type OnQrelsRow = (queryId: string, docId: string, grade: number, lineNo: number) => void;

/**
 * Read relevance judgments row by row, streaming.
 * - BEIR TSV: `query-id<TAB>corpus-id<TAB>score`; the first line is a header and always skipped.
 * - TREC: `qid iter docno rel`, whitespace separated; `iter` is ignored.
 * Every row is passed on, in file order, grade 0 and negative grades included. Blank lines are skipped.
 */
export async function forEachQrelsRow(path: string, opts: ReadQrelsOptions, onRow: OnQrelsRow): Promise<void> {
  let format: QrelsFormat | undefined = opts.format === 'auto' ? undefined : opts.format;
  let sawFirst = false;
  await forEachLine(path, 'qrels', (line, lineNo) => {
    if (isBlank(line)) return;
    const where = `${path}:${lineNo}`;
    const first = !sawFirst;
    sawFirst = true;
    format ??= detectQrelsFormat(line, where);
    if (format === 'beir') {
      if (first) return; // header
      const cols = line.split('\t');
      if (cols.length !== 3) {
        throw new UserError(`${where}: expected 3 tab-separated columns (query-id, corpus-id, score), got ${cols.length}`);
      }
      if (cols[0] === '' || cols[1] === '') throw new UserError(`${where}: empty query-id or corpus-id`);
      onRow(cols[0], cols[1], parseGrade(cols[2], where, 'score'), lineNo);
    } else {
      const cols = splitColumns(line, 4);
      if (cols.length !== 4) {
        throw new UserError(`${where}: expected 4 whitespace-separated columns (qid iter docno rel), got ${cols.length > 4 ? 'more' : cols.length}`);
      }
      onRow(cols[0], cols[2], parseGrade(cols[3], where, 'rel'), lineNo);
    }
  });
}

/**
 * Read relevance judgments (formats as forEachQrelsRow). A repeated (query, doc) row: the last wins.
 * Queries keep the order of their first row.
 */
export async function readQrels(path: string, opts: ReadQrelsOptions = {}): Promise<Qrels> {
  const qrels: Qrels = new Map();
  await forEachQrelsRow(path, opts, (qid, docId, grade) => {
    let docs = qrels.get(qid);
    if (!docs) qrels.set(qid, (docs = new Map()));
    docs.set(docId, grade);
  });
  return qrels;
}

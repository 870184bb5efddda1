import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UserError } from '../errors.js';

export interface JsonLine {
  value: Record<string, unknown>;
  /** `file:line`, for error messages. */
  where: string;
}

/**
 * Stream the JSON objects of a JSON-lines file, one per line, pulling lines only as the consumer asks
 * (a 200 MB corpus is never one string). CRLF and a leading BOM are accepted, blank lines skipped;
 * a line that is not a JSON object is a UserError naming `file:line`.
 */
export async function* readJsonLines(path: string): AsyncGenerator<JsonLine> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${path}: ${err.code ?? err.message}`);
  });
  const input = handle.createReadStream({ encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (let line of lines) {
      lineNo++;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.trim() === '') continue;
      const where = `${path}:${lineNo}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new UserError(`${where}: malformed JSON line (${(err as Error).message})`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new UserError(`${where}: expected a JSON object`);
      }
      yield { value: value as Record<string, unknown>, where };
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`cannot read ${path} (after line ${lineNo}): ${e.code ?? e.message}`);
  } finally {
    lines.close();
    input.destroy();
  }
}

/** BEIR's `_id`: a string, or a number coerced to its string form (some corpora store numeric ids). */
export function idField(line: JsonLine): string {
  const id = line.value._id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw new UserError(`${line.where}: field "_id" must be a non-empty string or a number, got ${JSON.stringify(id) ?? 'nothing'}`);
}

/** A text field; `optional` ones (a corpus title) may be absent or null and then read as ''. */
export function textField(line: JsonLine, key: string, optional = false): string {
  const v = line.value[key];
  if (typeof v === 'string') return v;
  if (optional && (v === undefined || v === null)) return '';
  throw new UserError(`${line.where}: field "${key}" must be a string, got ${JSON.stringify(v) ?? 'nothing'}`);
}

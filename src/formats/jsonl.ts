import { UserError } from '../errors.js';
import { lineBlocks } from './lines.js';

export interface JsonLine {
  value: Record<string, unknown>;
  /** `file:line`, for error messages. */
  where: string;
}

/**
 * Stream the JSON objects of a JSON-lines file, one per line, pulling lines only as the consumer asks.
 * CRLF and a leading BOM are accepted, blank lines skipped; a line that is not a JSON object is a
 * UserError naming `file:line`. `what` names the file's role in read errors.
 */
export async function* readJsonLines(path: string, what: string): AsyncGenerator<JsonLine> {
  for await (const { lines, firstLineNo } of lineBlocks(path, what)) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim() === '') continue;
      const where = `${path}:${firstLineNo + i}`;
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
  }
}

/** A text field; `optional` ones (a corpus title) may be absent or null and then read as ''. */
export function textField(line: JsonLine, key: string, optional = false): string {
  const v = line.value[key];
  if (typeof v === 'string') return v;
  if (optional && (v === undefined || v === null)) return '';
  throw new UserError(`${line.where}: field "${key}" must be a string, got ${JSON.stringify(v) ?? 'nothing'}`);
}

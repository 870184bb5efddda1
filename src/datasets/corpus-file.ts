import { UserError } from '../errors.js';
import { readJsonLines, textField, type JsonLine } from '../formats/jsonl.js';
import type { Doc } from '../types.js';
import type { ContentDigest } from './content-digest.js';

/** BEIR's `_id`: a string, or a number coerced to its string form (some corpora store numeric ids). */
export function idField(line: JsonLine): string {
  const id = line.value._id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw new UserError(`${line.where}: field "_id" must be a non-empty string or a number, got ${JSON.stringify(id) ?? 'nothing'}`);
}

/**
 * Stream a BEIR corpus.jsonl: `_id` coerced to string, a missing title read as '' (title and text kept apart).
 * `digest` is fed every record as read (all its fields), so the pass that needs the docs also yields the file's
 * content digest.
 */
export async function* readCorpus(path: string, digest?: ContentDigest): AsyncGenerator<Doc> {
  for await (const { doc } of readCorpusRecords(path, digest)) yield doc;
}

/** readCorpus with each doc's `file:line`, for errors about the record (a repeated id). */
export async function* readCorpusRecords(path: string, digest?: ContentDigest): AsyncGenerator<{ doc: Doc; where: string }> {
  for await (const line of readJsonLines(path, 'corpus')) {
    digest?.addJson(line.value);
    yield { doc: { id: idField(line), title: textField(line, 'title', true), text: textField(line, 'text') }, where: line.where };
  }
}

import type { Doc, Query } from '../types.js';

/** The side a text is on, as `input-type` endpoints are told it. */
export type InputType = 'query' | 'passage';

/** The strings a prefix policy prepends to each side for a model. */
export interface Prefixes {
  query: string;
  passage: string;
}

/** What a passage is sent to the model as: BEIR's title + text (an empty title leaves no stray space), prefixed. */
export function passageText(doc: Doc, prefix: string): string {
  return prefix + `${doc.title} ${doc.text}`.trim();
}

/** What a query is sent to the model as. */
export function queryText(q: Query, prefix: string): string {
  return prefix + q.text;
}

/** The two templates above, in words, for results.json. */
export const PASSAGE_TEMPLATE = '(title + " " + text).trim()';
export const QUERY_TEMPLATE = 'text';

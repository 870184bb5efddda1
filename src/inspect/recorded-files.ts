/**
 * The dataset files inspect reads must be the ones the run read, or it would show passages and judgments the run
 * never saw. A file matches when its bytes do (sha256, one streaming pass) or, failing that, its records do (the
 * content digest results.json records: the same records in another order or layout are the same input).
 */
import { jsonLinesContentDigest, qrelsContentDigest } from '../datasets/content-digest.js';
import { fileDigest } from '../datasets/digest.js';
import { UserError } from '../errors.js';
import type { DatasetResults } from '../results/schema.js';

/** A results.json (by where it was read) and its record of one dataset. */
export interface DatasetRecord {
  source: string;
  record: DatasetResults;
}

function changed(r: DatasetRecord, path: string, what: string): UserError {
  return new UserError(
    `${path} is not the file ${r.source} was run on (${what}): inspect shows only the passages and judgments the run used; ` +
      `restore that file, or pass --data-dir DIR holding the run's ${r.record.name}/`,
  );
}

const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 12)}…` : 'none recorded');

/** What the run recorded of `rel` (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). */
function recordedFile(r: DatasetRecord, rel: string) {
  const f = r.record.files[rel];
  if (!f) throw new UserError(`${r.source} records no ${rel} for ${r.record.name}: it cannot tell which file the run read`);
  return f;
}

/** queries.jsonl or qrels/<split>.tsv: bytes, else records, as recorded; a UserError otherwise. */
export async function checkRecordedFile(r: DatasetRecord, path: string, rel: string): Promise<void> {
  const f = recordedFile(r, rel);
  if ((await fileDigest(path, 'sha256')) === f.sha256) return;
  const content = rel.startsWith('qrels/') ? await qrelsContentDigest(path) : await jsonLinesContentDigest(path, 'queries');
  if (content !== f.contentDigest) throw changed(r, path, `content digest ${short(content)}, recorded ${short(f.contentDigest)}`);
}

/** The corpus's check, finished by the pass that reads its passages (which computes the content digest if needed). */
export interface CorpusCheck {
  /** The bytes differ: the passage pass must compute the content digest. */
  needsContent: boolean;
  verify(contentDigest: string | null): void;
}

export async function corpusCheck(r: DatasetRecord, path: string): Promise<CorpusCheck> {
  const f = recordedFile(r, 'corpus.jsonl');
  const same = (await fileDigest(path, 'sha256')) === f.sha256;
  return {
    needsContent: !same,
    verify(content) {
      if (!same && content !== f.contentDigest) throw changed(r, path, `content digest ${short(content ?? undefined)}, recorded ${short(f.contentDigest)}`);
    },
  };
}
